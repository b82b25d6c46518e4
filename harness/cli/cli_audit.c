/*++
 * NAME
 *	cli_audit 3
 * SUMMARY
 *	relaylab audit: is this config an open relay?
 * SYNOPSIS
 *	relaylab audit --postfix-config DIR | --exim-config FILE [--domain D]...
 *		[--victim D]... [-j N] [--time S] [--json] [--sarif FILE] [--junit FILE]
 *		[--results DIR]
 *--*/
#include <errno.h>
#include <getopt.h> /* no_argument, required_argument */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "engine_send.h"
#include "cli.h"
#include "report_audit.h"
#include "report_results.h"
#include "rmtree.h"

#define CLI_AUDIT_NAMES_MAX 16

struct audit_opts {
    const char *postfix_dir;
    const char *exim_conf;
    const char *names[2][CLI_AUDIT_NAMES_MAX]; /* --domain, --victim */
    size_t nnames[2];
    const char *sarif, *junit, *results;
    int json;
    long seconds;
    size_t jobs;
    char main_cf[4096], master_cf[4096];
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: relaylab audit --postfix-config DIR | --exim-config FILE [options]\n"
            "\n"
            "Stands your config up in the sandbox (changed only where the sandbox must and\n"
            "where mail leaves to, the capture sink; every change listed), asks it for its\n"
            "names, domains and trusted networks, and tries every relay trick against it\n"
            "from a client outside those networks: senders, HELO names and recipient forms\n"
            "built from its own names (percent hack, bang path, source route, quoted local\n"
            "parts, several '@', address literals, SRS and BATV shapes, look-alike domains,\n"
            "case, a trailing dot, SMTPUTF8), the AUTH edge cases on every listener that\n"
            "offers AUTH, XCLIENT when offered. A relay is mail that reaches the sink for a\n"
            "domain the client chose and the config does not name as its own (a forward to\n"
            "a fixed address of the config's is not). Each finding is written as\n"
            "a scenario that 'relaylab run' replays. Needs root.\n"
            "\n"
            "  --postfix-config DIR  DIR/main.cf (DIR/master.cf if there, the tables beside)\n"
            "  --exim-config FILE    an Exim configuration file\n"
            "  --domain D            a domain the server serves (repeatable, up to %d; the\n"
            "                        tricks use 6 of the server's domains, these first)\n"
            "  --victim D            a foreign domain to try to reach (repeatable, up to %d;\n"
            "                        default %s)\n"
            "  -j, --jobs N          connections at once (1 to 32, default 4)\n"
            "  --time S              seconds the attempts may take (default 300)\n"
            "  --json                the result as JSON on stdout instead of text\n"
            "  --sarif FILE          a SARIF 2.1.0 log (a finding at the config line)\n"
            "  --junit FILE          a JUnit XML suite (one test per trick family)\n"
            "  --results DIR         where audit-MTA-TIME-XXXXXX/ goes (default results)\n"
            "\n"
            "exit codes: 0 no relay, 1 an open relay, 2 usage, 3 environment\n",
            CLI_AUDIT_NAMES_MAX, CLI_AUDIT_NAMES_MAX, AUDIT_VICTIM);
}

/* add_name - --domain or --victim: a plain domain; 0, or the exit code */

static int add_name(struct audit_opts *o, int which, const char *value)
{
    static const char *const opt[] = {"--domain", "--victim"};

    if (!audit_names_domain_ok(value) || value[0] == '[' || strchr(value, '.') == NULL)
        return cli_say(CLI_EXIT_USAGE, "relaylab audit: %s wants a domain name, not '%s'\n",
                       opt[which], value);
    if (o->nnames[which] == CLI_AUDIT_NAMES_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab audit: at most %d %s\n", CLI_AUDIT_NAMES_MAX,
                       opt[which]);
    o->names[which][o->nnames[which]++] = value;
    return 0;
}

static int on_domain(void *ctx, char *value)
{
    return add_name(ctx, 0, value);
}

static int on_victim(void *ctx, char *value)
{
    return add_name(ctx, 1, value);
}

/* config - the user's files; the exit code on error, else -1 */

static int config(struct audit_opts *o, struct audit_params *p)
{
    if (!o->postfix_dir == !o->exim_conf)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab audit: give one of --postfix-config DIR or --exim-config FILE\n");
    if (o->exim_conf) {
        struct stat st;

        if (access(o->exim_conf, R_OK) < 0)
            return cli_say(CLI_EXIT_USAGE, "relaylab audit: cannot read %s: %s\n", o->exim_conf,
                           strerror(errno));
        if (stat(o->exim_conf, &st) < 0 || !S_ISREG(st.st_mode))
            return cli_say(CLI_EXIT_USAGE,
                           "relaylab audit: %s is not a file (--exim-config "
                           "takes the config file itself)\n",
                           o->exim_conf);
        p->mta = MTA_EXIM;
        p->exim_conf = o->exim_conf;
        return -1;
    }
    snprintf(o->main_cf, sizeof(o->main_cf), "%s/main.cf", o->postfix_dir);
    snprintf(o->master_cf, sizeof(o->master_cf), "%s/master.cf", o->postfix_dir);
    if (access(o->main_cf, R_OK) < 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab audit: cannot read %s: %s\n", o->main_cf,
                       strerror(errno));
    p->mta = MTA_POSTFIX;
    p->postfix_main_cf = o->main_cf;
    /* No master.cf: the sandbox's own (smtp, submission, smtps), and said so. */
    p->postfix_master_cf = access(o->master_cf, R_OK) == 0 ? o->master_cf : NULL;
    if (p->postfix_master_cf == NULL)
        fprintf(stderr,
                "relaylab audit: note: %s has no master.cf: the sandbox's is used "
                "(smtp 25, submission 587, smtps 465)\n",
                o->postfix_dir);
    return -1;
}

/* publish - the scenarios and audit.json into RESULTS/audit-MTA-TIME, whole */

static int publish(struct audit_result *r, const struct audit_params *p,
                   const struct report_audit_meta *m, const char *results, char *dir, size_t size)
{
    char tmp[4200], json[4300];
    struct smtp_error err;

    smtp_error_clear(&err);
    /* Made if need be, never a symbolic link (a checkout may hold one): as run's results. */
    if (report_results_dir(results, &err) < 0) {
        cli_error("audit", err.msg);
        return -1;
    }
    snprintf(tmp, sizeof(tmp), "%s/.tmp.audit.XXXXXX", results);
    if (mkdtemp(tmp) == NULL || chmod(tmp, 0755) < 0) {
        fprintf(stderr, "relaylab audit: cannot write in %s: %s\n", results, strerror(errno));
        return -1;
    }
    {
        /* The time, and mkdtemp's letters: two audits in one second do not meet. */
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;

        strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
        snprintf(dir, size, "%s/audit-%s-%s-%s", results, m->mta, stamp, tmp + strlen(tmp) - 6);
    }
    snprintf(json, sizeof(json), "%s/audit.json", tmp);
    if (audit_write_scenarios(r, p, tmp, &err) < 0) {
        cli_error("audit", err.msg);
        rmtree(tmp);
        return -1;
    }
    /* The scenarios' paths as they will be, in audit.json too. */
    for (size_t i = 0; i < r->nfindings; i++) {
        struct audit_finding *f = &r->findings[i];
        const char *slash = strrchr(f->scenario, '/');

        if (slash && strncmp(f->scenario, tmp, strlen(tmp)) == 0) {
            char name[256];

            snprintf(name, sizeof(name), "%s", slash + 1);
            snprintf(f->scenario, sizeof(f->scenario), "%.400s/%.190s", dir, name);
        }
    }
    if (report_audit_json(json, m, r, &err) < 0 || rename(tmp, dir) < 0) {
        if (err.msg[0])
            cli_error("audit", err.msg);
        else
            fprintf(stderr, "relaylab audit: cannot rename %s: %s\n", tmp, strerror(errno));
        rmtree(tmp); /* nothing half-written stays */
        return -1;
    }
    return 0;
}

/* reports - --sarif, --junit, then the text or --json on stdout; the exit code */

static int reports(const struct audit_opts *o, const struct report_audit_meta *m,
                   struct audit_result *r, const char *dir)
{
    struct smtp_error err;

    smtp_error_clear(&err);
    if ((o->sarif && report_audit_sarif(o->sarif, m, r, &err) < 0) ||
        (o->junit && report_audit_junit(o->junit, m, r, &err) < 0) ||
        (o->json && report_audit_json("-", m, r, &err) < 0)) {
        cli_error(strcmp(m->mta, "probe") ? "audit" : "probe", err.msg);
        return CLI_EXIT_ENV;
    }
    if (!o->json) {
        report_audit_text(stdout, m, r);
        if (dir)
            printf("\nresults: %s\n", dir);
    }
    return r->nfindings ? CLI_EXIT_CHECK : CLI_EXIT_OK;
}

/* audit_in_sandbox - the environment, the audit, the reports; the exit code */

static int audit_in_sandbox(struct audit_opts *o, struct audit_params *p)
{
    struct report_audit_meta m = {RELAYLAB_VERSION,
                                  p->mta == MTA_POSTFIX ? p->postfix_main_cf : p->exim_conf,
                                  mta_kind_name(p->mta)};
    static struct audit_result r;
    struct mta_env_params ep;
    struct mta_env *env;
    struct smtp_error err;
    char dir[4300];
    int rc;

    mta_env_params_default(&ep);
    if ((rc = cli_env_open("audit", &ep, &env)) >= 0)
        return rc;
    smtp_error_clear(&err);
    if (audit_run(env, p, &r, &err) < 0) {
        cli_error("audit", err.msg);
        audit_result_free(&r);
        mta_env_close(env);
        /* The config's own fault (postconf says so) is an input error. */
        return err.cls == SMTP_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ENV;
    }
    mta_env_close(env);
    rc = publish(&r, p, &m, o->results, dir, sizeof(dir)) < 0 ? CLI_EXIT_ENV
                                                              : reports(o, &m, &r, dir);
    audit_result_free(&r);
    return rc;
}

/* cli_audit - "relaylab audit" */

int cli_audit(int argc, char **argv)
{
    static struct audit_opts o;
    struct audit_params p;
    const struct cli_opt opts[] = {
        CLI_TEXT("postfix-config", 0, &o.postfix_dir),
        CLI_TEXT("exim-config", 0, &o.exim_conf),
        CLI_CALL("domain", 0, required_argument, on_domain),
        CLI_CALL("victim", 0, required_argument, on_victim),
        CLI_NUMBER(CLI_OPT_SIZE, "jobs", 'j', &o.jobs, 1, 32),
        CLI_NUMBER(CLI_OPT_LONG, "time", 0, &o.seconds, 1, 86400),
        CLI_FLAG("json", 0, &o.json),
        CLI_TEXT("sarif", 0, &o.sarif),
        CLI_TEXT("junit", 0, &o.junit),
        CLI_TEXT("results", 0, &o.results),
    };
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    o.results = "results";
    o.jobs = 4;
    o.seconds = 300;
    if ((rc = cli_opt_parse("audit", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, usage,
                            &o)) >= 0)
        return rc;
    if (optind < argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if ((rc = config(&o, &p)) >= 0)
        return rc;
    p.domains = o.names[0];
    p.ndomains = o.nnames[0];
    p.victims = o.names[1];
    p.nvictims = o.nnames[1];
    p.jobs = o.jobs;
    p.budget_ms = o.seconds * 1000;
    return audit_in_sandbox(&o, &p);
}

/* probe_usage - probe's help */

static void probe_usage(FILE *fp)
{
    fprintf(fp,
            "usage: relaylab probe HOST[:PORT] [options]\n"
            "\n"
            "The audit's relay attempts against a live server, at RCPT level (MAIL, RCPT,\n"
            "RSET): nothing is delivered. A foreign domain accepted at RCPT is a likely\n"
            "open relay; a relay form at the server's own domain (percent hack, source\n"
            "route...) accepted is told apart: it may stay local. With --confirm ADDR (a\n"
            "mailbox of yours) the attempts aim at ADDR and DATA follows an accepted RCPT:\n"
            "check what arrived.\n"
            "Point it only at servers you are allowed to test.\n"
            "\n"
            "  --tls-on-connect      TLS before the banner (port 465; the default port then)\n"
            "  --client ADDR         the source address to connect from\n"
            "  --domain D            a domain the server serves (repeatable, up to %d)\n"
            "  --victim D            a foreign domain to try (repeatable, up to %d; default\n"
            "                        %s; not used with --confirm)\n"
            "  --confirm ADDR        aim the attempts at ADDR, and send DATA when accepted\n"
            "  -j, --jobs N          connections at once (1 to 8, default 2)\n"
            "  --rate N              new connections a second at most (1 to 1000, default 5)\n"
            "  --time S              seconds the whole probe may take (1 to 86400, default 300)\n"
            "  --timeout S           seconds for each reply (default 30: tarpits are slow)\n"
            "  --json                the result as JSON on stdout instead of text\n"
            "  --sarif FILE          a SARIF 2.1.0 log, as for relaylab audit\n"
            "  --junit FILE          a JUnit XML suite, as for relaylab audit\n"
            "\n"
            "exit codes: 0 nothing accepted, 1 a relay form accepted (see the text), 2 usage,\n"
            "3 the server could not be reached\n",
            CLI_AUDIT_NAMES_MAX, CLI_AUDIT_NAMES_MAX, AUDIT_VICTIM);
}

/* cli_probe - "relaylab probe HOST[:PORT]" */

int cli_probe(int argc, char **argv)
{
    static struct audit_opts o;
    static struct audit_result r;
    static struct engine_send_params server;
    struct audit_probe_params p;
    struct report_audit_meta m = {RELAYLAB_VERSION, "", ""};
    struct smtp_error err;
    const char *client = NULL, *confirm = NULL;
    long timeout_ms = 30000, rate = 5;
    long long port = 0;
    int tls = 0, rc;
    const struct cli_opt opts[] = {
        CLI_FLAG("tls-on-connect", 0, &tls),
        CLI_TEXT("client", 0, &client),
        CLI_CALL("domain", 0, required_argument, on_domain),
        CLI_CALL("victim", 0, required_argument, on_victim),
        CLI_TEXT("confirm", 0, &confirm),
        CLI_NUMBER(CLI_OPT_SIZE, "jobs", 'j', &o.jobs, 1, 8),
        CLI_NUMBER(CLI_OPT_LONG, "rate", 0, &rate, 1, 1000),
        CLI_NUMBER(CLI_OPT_LONG, "time", 0, &o.seconds, 1, 86400),
        CLI_SECONDS("timeout", &timeout_ms),
        CLI_FLAG("json", 0, &o.json),
        CLI_TEXT("sarif", 0, &o.sarif),
        CLI_TEXT("junit", 0, &o.junit),
    };

    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    o.jobs = 2;
    o.seconds = 300;
    if ((rc = cli_opt_parse("probe", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0,
                            probe_usage, &o)) >= 0)
        return rc;
    if (optind + 1 != argc) {
        probe_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    memset(&server, 0, sizeof(server));
    if (engine_send_server(argv[optind], &server) < 0 ||
        (server.port[0] && cli_number("port", server.port, 1, 65535, &port) < 0))
        return cli_say(CLI_EXIT_USAGE, "relaylab probe: bad server '%s' (HOST[:PORT])\n",
                       argv[optind]);
    if (confirm && (strchr(confirm, '@') == NULL || strpbrk(confirm, "<> \t\r\n\"") ||
                    !audit_names_domain_ok(strrchr(confirm, '@') + 1) || confirm[0] == '@'))
        return cli_say(CLI_EXIT_USAGE, "relaylab probe: --confirm wants an address: user@domain\n");
    p.port = server.port[0] ? (int)port : 0;
    p.host = server.host;
    p.tls_on_connect = tls;
    p.client_addr = client;
    p.domains = o.names[0];
    p.ndomains = o.nnames[0];
    p.victims = o.names[1];
    p.nvictims = o.nnames[1];
    p.confirm = confirm;
    p.jobs = o.jobs;
    p.rate = (double)rate;
    p.budget_ms = o.seconds * 1000;
    p.step_timeout_ms = timeout_ms;
    m.config = argv[optind];
    m.mta = "probe";
    smtp_error_clear(&err);
    if (audit_probe(&p, &r, &err) < 0) {
        cli_error("probe", err.msg);
        audit_result_free(&r);
        return CLI_EXIT_ENV;
    }
    rc = reports(&o, &m, &r, NULL);
    audit_result_free(&r);
    return rc;
}
