/* Unit tests of the trait naming rule. */
#include <stdlib.h>
#include <string.h>

#include "compat-traits.h"
#include "sha256.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	static const struct {
		const char *suffix;
		const char *want;
	} cases[] = {
		{ "API_vfio-pci", "CUSTOM_MDEVC_API_VFIO_PCI" },
		{ "DRV_i915", "CUSTOM_MDEVC_DRV_I915" },
		{ "T_i915-GVTg_V5_4", "CUSTOM_MDEVC_T_I915_GVTG_V5_4" },
		{ "F_pv_ppgtt", "CUSTOM_MDEVC_F_PV_PPGTT" },
		{ "DRV_nvidia_V550_90", "CUSTOM_MDEVC_DRV_NVIDIA_V550_90" },
		{ "DRVEQ_i915_1.1.0", "CUSTOM_MDEVC_DRVEQ_I915_1_1_0" },
		{ "a--..--b", "CUSTOM_MDEVC_A_B" },
		{ "-x-", "CUSTOM_MDEVC__X_" },
		{ "caf\xc3\xa9", "CUSTOM_MDEVC_CAF_" },
		{ "", "CUSTOM_MDEVC_" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *t = compat_trait(cases[i].suffix);
		is_str(t, cases[i].want, "trait of '%s'", cases[i].suffix);
		free(t);
	}

	/* At the limit: 255 characters stay as they are; one more is shortened with a digest. */
	char suffix[400];
	memset(suffix, 'a', sizeof(suffix));
	suffix[255 - 13] = '\0';
	char *t = compat_trait(suffix);
	ok(strlen(t) == 255 && t[254] == 'A', "255 characters are kept");
	free(t);
	suffix[255 - 13] = 'a';
	suffix[256 - 13] = '\0';
	t = compat_trait(suffix);
	char hex[65];
	sha256_hex(suffix, strlen(suffix), hex);
	ok(strlen(t) == 255 && t[238] == '_' && strncmp(t + 239, hex, 16) == 0 &&
		   strncmp(t, "CUSTOM_MDEVC_AAAA", 17) == 0,
	   "256 characters: 238, '_' and 16 hex digits of the raw suffix's SHA-256");
	char *t2 = compat_trait("x");
	ok(strcmp(t, t2) != 0, "shortened names stay distinct");
	free(t);
	free(t2);
	/* Two long suffixes that normalise alike still differ by their digest. */
	suffix[256 - 13] = 'a';
	suffix[300] = '\0';
	suffix[10] = '-';
	char *x = compat_trait(suffix);
	suffix[10] = '.';
	char *y = compat_trait(suffix);
	ok(strcmp(x, y) != 0, "long names differing only in punctuation differ");
	free(x);
	free(y);
	return tap_done();
}
