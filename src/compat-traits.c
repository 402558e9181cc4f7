/* Trait naming; see compat-traits.h. */
#include <ctype.h>
#include <string.h>

#include "compat-traits.h"
#include "sha256.h"
#include "util.h"

char *compat_trait(const char *suffix)
{
	struct strbuf sb = { 0 };
	bool in_run = false;

	sb_puts(&sb, COMPAT_TRAIT_PREFIX);
	for (const unsigned char *p = (const unsigned char *)suffix; *p; p++) {
		if (*p < 0x80 && isalnum(*p)) {
			sb_putc(&sb, (char)toupper(*p));
			in_run = false;
		} else if (!in_run) {
			sb_putc(&sb, '_');
			in_run = true;
		}
	}
	if (sb.len > COMPAT_TRAIT_MAX_LEN) {
		char hex[65];
		sha256_hex(suffix, strlen(suffix), hex);
		sb.len = 238;
		sb.buf[sb.len] = '\0';
		sb_putc(&sb, '_');
		sb_add(&sb, hex, 16);
	}
	return sb_steal(&sb);
}
