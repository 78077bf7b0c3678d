/* Control protocol frames: request round trip, every decoding error, response frames. */
#include <string.h>

#include "lib/ctlmsg.h"
#include "lib/err.h"
#include "support/test.h"

static void test_roundtrip(void)
{
	static uint8_t buf[CTLMSG_HDR + CTLMSG_MAX];
	static struct ctlmsg_request req;
	const char *argv[] = {"xfrm", "state", "list", ""};
	struct buf_writer w;
	size_t len = 0;
	int r;

	buf_writer_init(&w, buf, sizeof(buf));
	r = ctlmsg_request_encode(&w, CTLMSG_FLAG_JSON, 4, argv);
	T_EQ(r, 0);
	r = ctlmsg_frame_len(buf, &len);
	T_EQ(r, 0);
	T_EQ(len, buf_writer_len(&w) - CTLMSG_HDR);
	r = ctlmsg_request_decode(buf + CTLMSG_HDR, len, &req);
	T_EQ(r, 0);
	T_EQ(req.argc, 4);
	T_EQ(req.flags, CTLMSG_FLAG_JSON);
	T_OK(strcmp(req.argv[2], "list") == 0 && req.argv[3][0] == '\0' && !req.argv[4],
	     "arguments survive");

	/* an argument longer than CTLMSG_ARG_MAX is refused by the encoder */
	static char big[CTLMSG_ARG_MAX + 2];
	memset(big, 'a', CTLMSG_ARG_MAX + 1);
	const char *argv2[] = {big};
	buf_writer_init(&w, buf, sizeof(buf));
	r = ctlmsg_request_encode(&w, 0, 1, argv2);
	T_EQ(r, ERR_LIMIT);
	buf_writer_init(&w, buf, 8);
	r = ctlmsg_request_encode(&w, 0, 4, argv);
	T_EQ(r, ERR_NOSPACE);
}

static const struct {
	int line;
	const char *hex_body;
	size_t len;
	int want;
} bad[] = {
    {__LINE__, "", 0, ERR_TRUNC},
    {__LINE__, "\x01\x00\x00", 3, ERR_TRUNC},
    {__LINE__, "\x02\x00\x00\x00", 4, ERR_INVAL}, /* version */
    {__LINE__, "\x01\x02\x00\x00", 4, ERR_INVAL}, /* unknown flag */
    {__LINE__, "\x01\x00\x00\x01", 4, ERR_TRUNC}, /* argc beyond bytes */
    {__LINE__,
     "\x01\x00\x00\x01\x00\x05"
     "ab",
     8, ERR_TRUNC}, /* arg length beyond */
    {__LINE__,
     "\x01\x00\x00\x01\x00\x02"
     "a\0",
     8, ERR_INVAL}, /* NUL inside */
    {__LINE__,
     "\x01\x00\x00\x01\x00\x01"
     "ab",
     8, ERR_INVAL},					  /* trailing byte */
    {__LINE__, "\x01\x00\x01\x00", 4, ERR_LIMIT},	  /* argc 256 */
    {__LINE__, "\x01\x00\x00\x01\x10\x00", 6, ERR_LIMIT}, /* arg of 4096 */
    {__LINE__, "\x01\x00\x00\x01\x00\x00", 6, 0},	  /* one empty arg */
};

static void test_bad(void)
{
	static struct ctlmsg_request req;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = ctlmsg_request_decode((const uint8_t *)bad[i].hex_body, bad[i].len, &req);
		T_EQ_ROW(bad[i].line, r, bad[i].want);
	}
	uint8_t hdr[4] = {0x00, 0x01, 0x00, 0x01}; /* 65537 */
	size_t len = 7;
	int r = ctlmsg_frame_len(hdr, &len);
	T_EQ(r, ERR_LIMIT);
	T_EQ(len, 7);
}

static void test_response(void)
{
	uint8_t buf[64];
	struct buf_writer w;
	enum ctlmsg_kind kind;
	const uint8_t *p;
	size_t n, len;
	uint8_t st = 3;
	int r;

	buf_writer_init(&w, buf, sizeof(buf));
	r = ctlmsg_response_encode(&w, CTLMSG_OUT, "hi\n", 3);
	T_EQ(r, 0);
	r = ctlmsg_response_encode(&w, CTLMSG_DONE, &st, 1);
	T_EQ(r, 0);
	r = ctlmsg_response_encode(&w, CTLMSG_DONE, "ab", 2);
	T_EQ(r, ERR_INVAL);
	r = ctlmsg_frame_len(buf, &len);
	T_EQ(len, 4);
	r = ctlmsg_response_decode(buf + 4, len, &kind, &p, &n);
	T_EQ(r, 0);
	T_EQ(kind, CTLMSG_OUT);
	T_MEM(p, n, "hi\n", 3);
	r = ctlmsg_response_decode(buf + 12, 2, &kind, &p, &n);
	T_EQ(r, 0);
	T_EQ(kind, CTLMSG_DONE);
	T_EQ(p[0], 3);
	r = ctlmsg_response_decode((const uint8_t *)"\x03", 1, &kind, &p, &n);
	T_EQ(r, ERR_INVAL);
	r = ctlmsg_response_decode((const uint8_t *)"\x09x", 2, &kind, &p, &n);
	T_EQ(r, ERR_INVAL);
	r = ctlmsg_response_decode(buf, 0, &kind, &p, &n);
	T_EQ(r, ERR_TRUNC);
}

int main(void)
{
	test_roundtrip();
	test_bad();
	test_response();
	return t_finish();
}
