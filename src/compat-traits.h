/* OpenStack Placement traits for compatibility (COMPAT.md section 8): the trait names a source
 * record requires and a destination offers, so that a scheduler can prefilter hosts. This part
 * holds the naming rule every trait goes through; the traits of records and inventories are
 * built on it. Pure: no I/O. */
#pragma once

#define COMPAT_TRAIT_PREFIX  "CUSTOM_MDEVC_"
#define COMPAT_TRAIT_MAX_LEN 255

/* The trait for a suffix such as "API_vfio-pci": the prefix, then the suffix normalised as
 * os-traits does (every run of characters other than ASCII letters and digits becomes one
 * '_', letters upper case). A name longer than 255 characters keeps its first 238, then '_'
 * and the first 16 hex digits of the SHA-256 of the raw suffix, so that long names stay
 * distinct. Returns a malloc'ed string; never NULL. */
char *compat_trait(const char *suffix);
