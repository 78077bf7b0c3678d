/* The local-address cache (daemon/netmon.h) fed hand-built rtnetlink datagrams: adds, deletes,
 * flag updates, link removal, IFA_LOCAL over IFA_ADDRESS, malformed messages skipped one by one,
 * watchers called once per change, growth past the first table, and the live socket's dump of
 * this namespace (127.0.0.1 is local). */
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "daemon/netmon.h"
#include "lib/err.h"
#include "support/test.h"

struct msgbuf {
	uint8_t b[8192];
	size_t len;
};

struct seen {
	int adds, dels, updates;
	struct netmon_addr last;
	enum netmon_event last_ev;
};

static void on_change(void *ctx, enum netmon_event ev, const struct netmon_addr *a)
{
	struct seen *s = ctx;

	s->adds += ev == NETMON_ADDR_ADD;
	s->dels += ev == NETMON_ADDR_DEL;
	s->updates += ev == NETMON_ADDR_UPDATE;
	s->last = *a;
	s->last_ev = ev;
}

static void put(struct msgbuf *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void align4(struct msgbuf *m)
{
	while (m->len % 4)
		m->b[m->len++] = 0;
}

/* Appends one RTM_NEWADDR/RTM_DELADDR. local/address: NULL to leave out; flags32: IFA_FLAGS
 * when non-zero. Returns the message's offset. */
static size_t addr_msg(struct msgbuf *m, uint16_t type, int family, int ifindex, uint8_t plen,
		       const char *local, const char *address, uint32_t flags32)
{
	size_t start = m->len;
	struct nlmsghdr h = {.nlmsg_type = type};
	struct ifaddrmsg ifa = {
	    .ifa_family = (uint8_t)family, .ifa_prefixlen = plen, .ifa_index = (uint32_t)ifindex};
	const char *v[2] = {local, address};
	const uint16_t t[2] = {IFA_LOCAL, IFA_ADDRESS};

	put(m, &h, sizeof(h));
	put(m, &ifa, sizeof(ifa));
	for (int i = 0; i < 2; i++) {
		struct addr a;
		struct rtattr rta;
		if (!v[i] || addr_parse(v[i], &a, NULL, 0))
			continue;
		rta.rta_type = t[i];
		rta.rta_len = (unsigned short)RTA_LENGTH(addr_len(&a));
		put(m, &rta, sizeof(rta));
		put(m, a.bytes, addr_len(&a));
		align4(m);
	}
	if (flags32) {
		struct rtattr rta = {.rta_len = RTA_LENGTH(4), .rta_type = IFA_FLAGS};
		put(m, &rta, sizeof(rta));
		put(m, &flags32, 4);
	}
	h.nlmsg_len = (uint32_t)(m->len - start);
	memcpy(m->b + start, &h, sizeof(h));
	return start;
}

static void link_del(struct msgbuf *m, int ifindex)
{
	struct nlmsghdr h = {.nlmsg_type = RTM_DELLINK,
			     .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg))};
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};

	put(m, &h, sizeof(h));
	put(m, &ifi, sizeof(ifi));
}

static bool local(const struct netmon *nm, const char *s)
{
	struct addr a;

	return addr_parse(s, &a, NULL, 0) == 0 && netmon_is_local(nm, &a);
}

static void test_add_del(void)
{
	struct netmon *nm = NULL;
	struct seen s = {0};
	struct msgbuf m = {.len = 0};
	struct netmon_addr na;
	struct addr a;

	T_EQ(netmon_new_detached(&nm), 0);
	T_EQ(netmon_watch(nm, on_change, &s), 0);
	addr_msg(&m, RTM_NEWADDR, AF_INET, 2, 24, "192.0.2.1", "192.0.2.1", 0);
	addr_msg(&m, RTM_NEWADDR, AF_INET6, 2, 64, NULL, "2001:db8::1", IFA_F_TENTATIVE);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_EQ(s.adds, 2);
	T_EQ(netmon_count(nm), 2);
	T_OK(local(nm, "192.0.2.1"), "IPv4 address cached");
	T_OK(local(nm, "2001:db8::1"), "IPv6 address cached");
	T_OK(!local(nm, "192.0.2.2"), "other address not local");
	T_OK(!local(nm, "::ffff:192.0.2.1"), "mapped form is another address");
	addr_parse("2001:db8::1", &a, NULL, 0);
	T_EQ(netmon_find(nm, &a, &na), 0);
	T_EQ(na.ifindex, 2);
	T_EQ(na.prefix_len, 64);
	T_OK(na.flags & IFA_F_TENTATIVE, "IFA_FLAGS kept");

	/* the same message again: no change; DAD done: an update */
	m.len = 0;
	addr_msg(&m, RTM_NEWADDR, AF_INET, 2, 24, "192.0.2.1", "192.0.2.1", 0);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_EQ(s.adds, 2);
	T_EQ(s.updates, 0);
	m.len = 0;
	addr_msg(&m, RTM_NEWADDR, AF_INET6, 2, 64, NULL, "2001:db8::1", IFA_F_PERMANENT);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_EQ(s.updates, 1);
	T_EQ(s.last_ev, NETMON_ADDR_UPDATE);
	T_EQ(netmon_count(nm), 2);

	/* delete of an unknown entry (other ifindex) changes nothing; the right one removes it */
	m.len = 0;
	addr_msg(&m, RTM_DELADDR, AF_INET, 3, 24, "192.0.2.1", "192.0.2.1", 0);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_EQ(s.dels, 0);
	T_OK(local(nm, "192.0.2.1"), "still local after a delete on another interface");
	m.len = 0;
	addr_msg(&m, RTM_DELADDR, AF_INET, 2, 24, "192.0.2.1", "192.0.2.1", 0);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_EQ(s.dels, 1);
	T_EQ(s.last.ifindex, 2);
	T_OK(!local(nm, "192.0.2.1"), "gone after RTM_DELADDR");
	T_OK(local(nm, "2001:db8::1"), "the other address stays");

	/* after unwatch, changes are not reported */
	netmon_unwatch(nm, on_change, &s);
	m.len = 0;
	addr_msg(&m, RTM_DELADDR, AF_INET6, 2, 64, NULL, "2001:db8::1", 0);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_EQ(s.dels, 1);
	T_EQ(netmon_count(nm), 0);
	netmon_free(nm);
}

static void test_local_vs_peer(void)
{
	struct netmon *nm = NULL;
	struct msgbuf m = {.len = 0};
	struct prefix p;
	struct addr a;

	T_EQ(netmon_new_detached(&nm), 0);
	/* point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer */
	addr_msg(&m, RTM_NEWADDR, AF_INET, 5, 32, "10.9.0.1", "10.9.0.2", 0);
	/* the same address on two interfaces */
	addr_msg(&m, RTM_NEWADDR, AF_INET, 6, 32, "10.8.0.1", NULL, 0);
	addr_msg(&m, RTM_NEWADDR, AF_INET, 7, 32, "10.8.0.1", NULL, 0);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_OK(local(nm, "10.9.0.1"), "IFA_LOCAL is the local address");
	T_OK(!local(nm, "10.9.0.2"), "IFA_ADDRESS of a peer is not local");
	T_EQ(netmon_count(nm), 3);
	m.len = 0;
	link_del(&m, 6);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_OK(local(nm, "10.8.0.1"), "still on ifindex 7 after link 6 went");
	m.len = 0;
	link_del(&m, 7);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_OK(!local(nm, "10.8.0.1"), "gone with its last link");

	prefix_parse("10.9.0.0/16", &p, NULL, 0);
	T_EQ(netmon_local_in_prefix(nm, &p, &a), 0);
	T_OK(addr_parse("10.9.0.1", &p.addr, NULL, 0) == 0 && addr_equal(&a, &p.addr),
	     "local address inside the prefix");
	prefix_parse("10.7.0.0/16", &p, NULL, 0);
	T_EQ(netmon_local_in_prefix(nm, &p, &a), ERR_NOTFOUND);
	prefix_parse("0.0.0.0/0", &p, NULL, 0);
	T_EQ(netmon_local_in_prefix(nm, &p, &a), ERR_NOTFOUND);
	netmon_free(nm);
}

static const struct {
	int line;
	size_t cut;	   /* truncate the datagram to this many bytes (0: whole) */
	int patch_off;	   /* byte to overwrite (-1: none) */
	uint8_t patch_val; /* its new value */
	int want_rc;
	size_t want_count; /* entries after the datagram (the good message after the bad one) */
} bad[] = {
    /* nlmsg_len below the header */
    {__LINE__, 0, 0, 8, ERR_TRUNC, 0},
    /* nlmsg_len beyond the datagram */
    {__LINE__, 0, 1, 0x10, ERR_TRUNC, 0},
    /* header cut short: the rest is ignored, nothing applied */
    {__LINE__, 10, -1, 0, 0, 0},
    /* first attribute's length below its header: that message only is skipped */
    {__LINE__, 0, 24, 2, 0, 1},
    /* first attribute's length past the message */
    {__LINE__, 0, 24, 200, 0, 1},
    /* an IPv4 address attribute of 5 bytes */
    {__LINE__, 0, 24, 9, 0, 1},
    /* prefix length 40 for IPv4 */
    {__LINE__, 0, 17, 40, 0, 1},
    /* unknown family: ignored, not an error */
    {__LINE__, 0, 16, 99, 0, 1},
    /* unknown message type: ignored */
    {__LINE__, 0, 4, 99, 0, 1},
};

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct netmon *nm = NULL;
		struct msgbuf m = {.len = 0};
		struct netmon_stats st;
		int rc;

		T_EQ_ROW(bad[i].line, netmon_new_detached(&nm), 0);
		addr_msg(&m, RTM_NEWADDR, AF_INET, 2, 24, "192.0.2.1", NULL, 0);
		addr_msg(&m, RTM_NEWADDR, AF_INET, 2, 24, "192.0.2.9", NULL, 0);
		if (bad[i].patch_off >= 0)
			m.b[bad[i].patch_off] = bad[i].patch_val;
		if (bad[i].patch_off == 0)
			m.b[1] = m.b[2] = m.b[3] = 0;
		if (bad[i].patch_off == 1)
			m.b[0] = 0xff, m.b[2] = 0x01;
		rc = netmon_input(nm, m.b, bad[i].cut ? bad[i].cut : m.len);
		T_EQ_ROW(bad[i].line, rc, bad[i].want_rc);
		T_EQ_ROW(bad[i].line, netmon_count(nm), bad[i].want_count);
		netmon_get_stats(nm, &st);
		T_OK_ROW(bad[i].line, bad[i].want_count == 1 || st.malformed > 0 || bad[i].cut,
			 "malformed counted");
		if (bad[i].want_count == 1)
			T_OK_ROW(bad[i].line, local(nm, "192.0.2.9"), "the next message applied");
		netmon_free(nm);
	}
}

static void test_growth(void)
{
	struct netmon *nm = NULL;
	struct seen s = {0};
	enum { N = 5000 };
	size_t missing = 0;

	T_EQ(netmon_new_detached(&nm), 0);
	T_EQ(netmon_watch(nm, on_change, &s), 0);
	for (int i = 0; i < N; i++) {
		struct msgbuf m = {.len = 0};
		char a[32];
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		addr_msg(&m, RTM_NEWADDR, AF_INET, 1 + i % 7, 24, a, NULL, 0);
		netmon_input(nm, m.b, m.len);
	}
	T_EQ(netmon_count(nm), N);
	T_EQ(s.adds, N);
	for (int i = 0; i < N; i += 2) {
		struct msgbuf m = {.len = 0};
		char a[32];
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		addr_msg(&m, RTM_DELADDR, AF_INET, 1 + i % 7, 24, a, NULL, 0);
		netmon_input(nm, m.b, m.len);
	}
	for (int i = 0; i < N; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		missing += local(nm, a) != (i % 2 == 1);
	}
	T_EQ(missing, 0);
	T_EQ(netmon_count(nm), N / 2);
	for (size_t i = 0; i < netmon_count(nm); i++) {
		struct netmon_addr na;
		T_EQ(netmon_get(nm, i, &na), 0);
		if (!netmon_is_local(nm, &na.addr))
			T_OK(0, "enumerated entry %zu not found", i);
	}
	netmon_free(nm);
}

static void test_live(void)
{
	struct netmon *nm = NULL;
	int r = netmon_new(&nm);

	T_EQ(r, 0);
	if (r)
		return;
	T_OK(local(nm, "127.0.0.1"), "the live dump holds 127.0.0.1");
	T_OK(!local(nm, "192.0.2.254"), "and not an unassigned address");
	netmon_read(nm); /* nothing pending: returns */
	netmon_free(nm);
}

/* A resync (as after lost notifications) drops what the kernel no longer has and reports it;
 * what it still has stays without a report. */
static void test_resync(void)
{
	struct netmon *nm = NULL;
	struct msgbuf m = {.len = 0};
	struct seen s = {0};
	size_t n0;
	int r = netmon_new(&nm);

	T_EQ(r, 0);
	if (r)
		return;
	n0 = netmon_count(nm);
	T_EQ(netmon_watch(nm, on_change, &s), 0);
	/* an address this namespace does not have, as if its deletion had been lost */
	addr_msg(&m, RTM_NEWADDR, AF_INET, 999, 32, "192.0.2.77", NULL, 0);
	T_EQ(netmon_input(nm, m.b, m.len), 0);
	T_OK(local(nm, "192.0.2.77"), "the phantom address is cached");
	T_EQ(netmon_resync(nm), 0);
	T_OK(!local(nm, "192.0.2.77"), "gone after the resync");
	T_EQ(s.dels, 1);
	T_OK(s.last_ev == NETMON_ADDR_DEL && s.last.ifindex == 999, "its deletion reported");
	T_EQ(s.adds, 1); /* only the phantom's own add */
	T_EQ(netmon_count(nm), n0);
	T_OK(local(nm, "127.0.0.1"), "real addresses stay");
	netmon_free(nm);
}

int main(void)
{
	test_add_del();
	test_local_vs_peer();
	test_malformed();
	test_growth();
	test_live();
	test_resync();
	return t_finish();
}
