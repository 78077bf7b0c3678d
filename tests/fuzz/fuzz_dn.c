/* libFuzzer harness: distinguished names. The input is tried as configuration text
 * (dn_from_text: a name that parses prints and parses back to an equal name) and as a DER
 * Name from a peer's ID payload (dn_to_text, dn_equal). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dn.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char out[DN_TEXT_MAX + 1];
	uint8_t *der = NULL, *der2 = NULL;
	size_t len = 0, len2 = 0;
	int err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (dn_from_text(text, &der, &len) == 0) {
		err = dn_to_text(der, len, out, sizeof(out));
		if (err != 0 && err != ERR_NOSPACE)
			abort();
		if (err == 0) {
			if (dn_from_text(out, &der2, &len2) != 0 || !dn_equal(der, len, der2, len2))
				abort();
		}
	}
	(void)dn_to_text(data, size, out, sizeof(out));
	(void)dn_to_text(data, size, out, 8);
	(void)dn_equal(data, size, der ? der : data, der ? len : size);
	free(der);
	free(der2);
	free(text);
	return 0;
}
