#include "cfg/swanctl.h"

#include <stdlib.h>

#include "cfg/conf_value.h"
#include "cfg/swanctl_conn.h"
#include "cfg/swanctl_ctx.h"
#include "cfg/swanctl_secrets.h"
#include "lib/err.h"

/* ---- entry points ------------------------------------------------------------------------ */

void swanctl_config_free(struct swanctl_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nconns; i++)
		conn_free(cfg->conns[i]);
	conn_secrets_free(cfg->secrets);
	free(cfg);
}

int swanctl_load(const struct conf_node *root, const char *dir, swanctl_report_fn report, void *ctx,
		 struct swanctl_config **out)
{
	static const char *const top[] = {"connections", "secrets", "authorities",
					  "rampart",	 "pools",   NULL};
	static const char *const none[] = {NULL};
	struct swanctl_ctx l = {.dir = dir, .report = report, .ctx = ctx};
	const struct conf_node *sec;
	char err[8];
	int rc = ERR_NOMEM;

	l.cfg = calloc(1, sizeof(*l.cfg));
	if (!l.cfg)
		goto out;
	l.cfg->secrets = conn_secrets_new();
	if (!l.cfg->secrets)
		goto out;

	conf_check_names(root, none, top, swanctl_report_name, &l, err, sizeof(err));
	if ((sec = conf_child(root, "pools", CONF_SECTION)))
		swanctl_bad(&l, sec, "'pools' (virtual IP pools) are not supported by Rampart yet");

	swanctl_load_dir(&l, "x509ca", false);
	swanctl_load_dir(&l, "private", true);
	swanctl_load_dir(&l, "rsa", true);
	swanctl_load_dir(&l, "ecdsa", true);
	swanctl_load_dir(&l, "pkcs8", true);

	if ((sec = conf_child(root, "secrets", CONF_SECTION)))
		swanctl_load_secrets(&l, sec);
	if ((sec = conf_child(root, "authorities", CONF_SECTION)))
		swanctl_load_authorities(&l, sec);
	if ((sec = conf_child(root, "connections", CONF_SECTION))) {
		if (conf_first_key(sec))
			swanctl_bad(&l, conf_first_key(sec),
				    "'%s' in 'connections' must be a section",
				    conf_first_key(sec)->name);
		for (const struct conf_node *s = conf_first_section(sec); s;
		     s = conf_next_section(s))
			swanctl_load_conn(&l, s);
	}
	if (l.errors) {
		rc = ERR_INVAL;
		goto out;
	}
	*out = l.cfg;
	l.cfg = NULL;
	rc = 0;
out:
	swanctl_config_free(l.cfg);
	return rc;
}
