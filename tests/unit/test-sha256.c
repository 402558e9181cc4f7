// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of SHA-256 against the FIPS 180-4 example vectors and sha256sum. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "tap.h"

int main(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char out[65];
	for (size_t i = 0; i < 3; i++) {
		sha256_hex(cases[i].in, strlen(cases[i].in), out);
		is_str(out, cases[i].want, "vector %zu", i);
	}

	/* A million 'a' (the FIPS long vector), fed in uneven pieces. */
	struct sha256 s;
	uint8_t d[32];
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	sha256_init(&s);
	for (size_t off = 0, k = 1; off < 1000000; off += k, k = k * 7 % 1000 + 1)
		sha256_update(&s, a + off, off + k > 1000000 ? 1000000 - off : k);
	sha256_final(&s, d);
	free(a);
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "a million a");

	/* Every length around the block boundaries (55, 56, 63, 64) agrees with sha256sum. */
	sha256_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55, out);
	is_str(out, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318", "55 bytes");
	sha256_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, out);
	is_str(out, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a", "56 bytes");
	sha256_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64, out);
	is_str(out, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb", "64 bytes");
	return tap_done();
}
