/* Minimal test harness for unit and exchange tests.
 *
 * Every check counts one pass or one failure; a failure prints file:line (and the table row's
 * line when a row is given) with a message. A test binary ends with `return t_finish();`, which
 * prints "N passed, M failed" and returns the exit status. Table-driven tests put __LINE__ in
 * each row and use the *_ROW variants so a failure points at its row.
 */
#ifndef RAMPART_TESTS_TEST_H
#define RAMPART_TESTS_TEST_H

#include <stddef.h>
#include <stdint.h>

void t_record(int ok, const char *file, int line, int row, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int t_finish(void);
/* Records a == b; returns 1 when equal. */
int t_eq(const char *file, int line, int row, const char *astr, const char *bstr, long long a,
	 long long b);
int t_failures(void);
/* Compare memory; on mismatch print both in hex. Returns 1 when equal. */
int t_mem_eq(const char *file, int line, int row, const char *what, const void *a, size_t alen,
	     const void *b, size_t blen);

#define T_OK(cond, ...)          t_record(!!(cond), __FILE__, __LINE__, 0, __VA_ARGS__)
#define T_OK_ROW(row, cond, ...) t_record(!!(cond), __FILE__, __LINE__, (row), __VA_ARGS__)
/* Each operand is evaluated exactly once. */
#define T_EQ(a, b) t_eq(__FILE__, __LINE__, 0, #a, #b, (long long)(a), (long long)(b))
#define T_EQ_ROW(row, a, b) t_eq(__FILE__, __LINE__, (row), #a, #b, (long long)(a), (long long)(b))
#define T_MEM(a, alen, b, blen)          t_mem_eq(__FILE__, __LINE__, 0, #a, (a), (alen), (b), (blen))
#define T_MEM_ROW(row, a, alen, b, blen) t_mem_eq(__FILE__, __LINE__, (row), #a, (a), (alen), (b), (blen))

#endif
