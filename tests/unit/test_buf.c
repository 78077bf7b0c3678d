/* Bounded reader/writer: getters fail without advancing, sub-readers are bounded, writers
 * fail atomically and stickily. */
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"

static const uint8_t msg[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

enum op { U8, U16, U24, U32, U64, BYTES3, SKIP4, SUB5 };

static const struct {
	int line;
	size_t start; /* bytes consumed before the op */
	enum op op;
	int want_err;
	uint64_t want_val;
	size_t want_off;
} getters[] = {
	{__LINE__, 0, U8, 0, 0x01, 1},
	{__LINE__, 8, U8, 0, 0x09, 9},
	{__LINE__, 9, U8, ERR_TRUNC, 0, 9},
	{__LINE__, 0, U16, 0, 0x0102, 2},
	{__LINE__, 8, U16, ERR_TRUNC, 0, 8},
	{__LINE__, 6, U24, 0, 0x070809, 9},
	{__LINE__, 7, U24, ERR_TRUNC, 0, 7},
	{__LINE__, 5, U32, 0, 0x06070809, 9},
	{__LINE__, 6, U32, ERR_TRUNC, 0, 6},
	{__LINE__, 1, U64, 0, 0x0203040506070809ULL, 9},
	{__LINE__, 2, U64, ERR_TRUNC, 0, 2},
	{__LINE__, 6, BYTES3, 0, 0x070809, 9},
	{__LINE__, 7, BYTES3, ERR_TRUNC, 0, 7},
	{__LINE__, 5, SKIP4, 0, 0, 9},
	{__LINE__, 6, SKIP4, ERR_TRUNC, 0, 6},
	{__LINE__, 4, SUB5, 0, 0, 9},
	{__LINE__, 5, SUB5, ERR_TRUNC, 0, 5},
};

static void test_getters(void)
{
	for (size_t i = 0; i < sizeof(getters) / sizeof(getters[0]); i++) {
		struct buf_reader r, sub;
		uint8_t u8 = 0, b3[3] = {0};
		uint16_t u16 = 0;
		uint32_t u32 = 0;
		uint64_t u64 = 0, val = 0;
		int err = 0;

		buf_reader_init(&r, msg, sizeof(msg));
		T_EQ_ROW(getters[i].line, buf_skip(&r, getters[i].start), 0);
		switch (getters[i].op) {
		case U8:
			err = buf_get_u8(&r, &u8);
			val = u8;
			break;
		case U16:
			err = buf_get_u16(&r, &u16);
			val = u16;
			break;
		case U24:
			err = buf_get_u24(&r, &u32);
			val = u32;
			break;
		case U32:
			err = buf_get_u32(&r, &u32);
			val = u32;
			break;
		case U64:
			err = buf_get_u64(&r, &u64);
			val = u64;
			break;
		case BYTES3:
			err = buf_get_bytes(&r, b3, 3);
			val = (uint64_t)b3[0] << 16 | b3[1] << 8 | b3[2];
			break;
		case SKIP4:
			err = buf_skip(&r, 4);
			break;
		case SUB5:
			err = buf_sub(&r, 5, &sub);
			if (!err) {
				T_EQ_ROW(getters[i].line, buf_remaining(&sub), 5);
				T_EQ_ROW(getters[i].line, buf_abs_offset(&sub), getters[i].start);
			}
			break;
		}
		T_EQ_ROW(getters[i].line, err, getters[i].want_err);
		if (!err)
			T_EQ_ROW(getters[i].line, val, getters[i].want_val);
		T_EQ_ROW(getters[i].line, buf_offset(&r), getters[i].want_off);
	}
}

static void test_nested(void)
{
	struct buf_reader r, outer, inner;
	uint32_t v;
	uint8_t b;

	buf_reader_init(&r, msg, sizeof(msg));
	T_EQ(buf_skip(&r, 1), 0);
	T_EQ(buf_sub(&r, 6, &outer), 0);
	T_EQ(buf_skip(&outer, 2), 0);
	T_EQ(buf_sub(&outer, 3, &inner), 0);
	T_EQ(buf_abs_offset(&inner), 3);
	/* the inner reader cannot see past its own bound even though the message continues */
	T_EQ(buf_get_u32(&inner, &v), ERR_TRUNC);
	T_EQ(buf_offset(&inner), 0);
	T_EQ(buf_get_u8(&inner, &b), 0);
	T_EQ(b, 0x04);
	T_EQ(buf_sub(&outer, 2, &inner), ERR_TRUNC);
	T_EQ(buf_remaining(&outer), 1);
	T_EQ(buf_remaining(&r), 2);

	const uint8_t *p;
	size_t n;
	buf_get_rest(&r, &p, &n);
	T_EQ(n, 2);
	T_EQ(p[0], 0x08);
	T_OK(buf_empty(&r), "rest consumes everything");
	T_EQ(buf_slice(&r, 2, 10, &inner), ERR_TRUNC);
	T_EQ(buf_slice(&r, 4, 3, &inner), ERR_TRUNC);
	T_EQ(buf_slice(&r, 1, 4, &inner), 0);
	T_EQ(buf_remaining(&inner), 3);

	buf_reader_init(&r, NULL, 100);
	T_EQ(buf_remaining(&r), 0);
}

static void test_writer(void)
{
	uint8_t out[8];
	struct buf_writer w;
	size_t pos;

	memset(out, 0xee, sizeof(out));
	buf_writer_init(&w, out, 7);
	T_EQ(buf_reserve(&w, 2, &pos, NULL), 0);
	T_EQ(buf_put_u32(&w, 0xa1a2a3a4), 0);
	T_EQ(buf_put_u16(&w, 0xb1b2), ERR_NOSPACE); /* would need 8 */
	T_EQ(buf_writer_len(&w), 6);
	T_EQ(buf_put_u8(&w, 0xc1), ERR_NOSPACE); /* sticky */
	T_EQ(buf_writer_failed(&w), ERR_NOSPACE);
	T_EQ(buf_patch_u16(&w, pos, 6), 0);
	T_EQ(buf_patch_u16(&w, 5, 6), ERR_INVAL);
	static const uint8_t want[] = {0x00, 0x06, 0xa1, 0xa2, 0xa3, 0xa4, 0xee, 0xee};
	T_MEM(out, sizeof(out), want, sizeof(want));

	buf_writer_init(&w, out, sizeof(out));
	T_EQ(buf_put_u24(&w, 0x010203), 0);
	T_EQ(buf_put_zeros(&w, 1), 0);
	T_EQ(buf_put_bytes(&w, "\xff\xfe", 2), 0);
	T_EQ(buf_put_u64(&w, 1), ERR_NOSPACE);
	T_EQ(buf_writer_avail(&w), 2);
	T_OK(buf_writer_at(&w, 4, 3) == NULL, "range beyond written bytes");
	T_OK(buf_writer_at(&w, 4, 2) == out + 4, "range inside written bytes");
}

int main(void)
{
	test_getters();
	test_nested();
	test_writer();
	return t_finish();
}
