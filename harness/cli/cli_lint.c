/*++
 * NAME
 *	cli_lint 3
 * SUMMARY
 *	relaylab lint: static checks of a Postfix or Exim relay config
 * SYNOPSIS
 *	relaylab lint --postfix-config DIR | --exim-config FILE
 *		[--client ADDR]... [--domain D]... [--json]
 * DESCRIPTION
 *	Runs lint_postfix() or lint_exim() (harness/audit) and prints each
 *	finding as "FILE:LINE: [id] why" with its line and its fix, or the
 *	whole report as JSON. Every text printed went through the
 *	sanitizer in lint_add(); the paths given here go through it too.
 *
 *	cli_lint_config() and cli_lint_print() serve relaylab run
 *	--diagnose as well.
 *--*/
#include <getopt.h> /* required_argument */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lint_exim.h"
#include "lint_postfix.h"
#include "smtp_sanitize.h"

struct lint_opts {
    const char *postfix_dir, *exim_conf;
    int json;
    struct lint_params params;
};

/* usage - lint's help */

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: relaylab lint --postfix-config DIR | --exim-config FILE [--client ADDR]...\n"
            "                     [--domain D]... [--json]\n"
            "\n"
            "Reads a Postfix config (DIR/main.cf, DIR/master.cf and the tables they name in\n"
            "DIR) or an Exim config without running it, and reports the relay guide's causes\n"
            "it can see (restriction order, mynetworks, domain lists, SASL, submission, AUTH\n"
            "before TLS) and open-relay patterns, each with its line, why it matters and the\n"
            "line to put instead.\n"
            "\n"
            "      --postfix-config DIR  the Postfix config directory\n"
            "      --exim-config FILE    the Exim config file\n"
            "      --client ADDR         a client that must relay by its address (repeatable)\n"
            "      --domain D            a recipient domain the server must accept (repeatable)\n"
            "      --json                the findings as JSON on stdout\n"
            "  -h, --help                this text\n"
            "\n"
            "exit codes: 0 no finding of severity error, 1 such findings, 2 usage error or\n"
            "an input that cannot be read, 3 out of memory\n");
}

/* opt_client - --client ADDR, an IPv4 or IPv6 address */

static int opt_client(void *ctx, char *value)
{
    struct lint_params *p = &((struct lint_opts *)ctx)->params;
    struct audit_net net;

    if (audit_net_parse(value, strlen(value), &net) < 0 || strchr(value, '/') || value[0] == '[')
        return cli_say(CLI_EXIT_USAGE, "relaylab lint: --client: not an IP address\n");
    if (p->nclients >= LINT_PARAMS_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab lint: --client: at most %d\n", LINT_PARAMS_MAX);
    p->clients[p->nclients++] = value;
    return 0;
}

/* opt_domain - --domain D */

static int opt_domain(void *ctx, char *value)
{
    struct lint_params *p = &((struct lint_opts *)ctx)->params;

    if (value[0] == 0 || strlen(value) > 253 || strpbrk(value, " \t\r\n,:@/"))
        return cli_say(CLI_EXIT_USAGE, "relaylab lint: --domain: not a domain name\n");
    if (p->ndomains >= LINT_PARAMS_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab lint: --domain: at most %d\n", LINT_PARAMS_MAX);
    p->domains[p->ndomains++] = value;
    return 0;
}

/* cli_lint_config - lint whichever config is given; -1 with err when it cannot */

int cli_lint_config(const char *postfix_dir, const char *exim_conf,
                    const struct lint_params *params, struct lint_report *r, struct smtp_error *err)
{
    int rc = postfix_dir ? lint_postfix(postfix_dir, params, r, err)
                         : lint_exim(exim_conf, params, r, err);

    lint_report_sort(r);
    return rc;
}

/* cli_lint_print - the findings for people */

void cli_lint_print(FILE *fp, const struct lint_report *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        const struct lint_finding *f = &r->findings[i];

        if (f->line > 0)
            fprintf(fp, "%s:%d: [%s] ", f->file, f->line, f->id);
        else
            fprintf(fp, "%s: [%s] ", f->file, f->id);
        if (f->severity != LINT_ERROR)
            fprintf(fp, "%s: ", lint_severity_name(f->severity));
        fprintf(fp, "%s\n", f->why);
        if (f->excerpt[0])
            fprintf(fp, "  line: %s\n", f->excerpt);
        if (f->fix[0])
            fprintf(fp, "  fix: %s\n", f->fix);
    }
    if (r->dropped)
        fprintf(fp, "(%zu more findings not kept)\n", r->dropped);
    fprintf(fp, "%zu finding%s, %zu of severity error\n", r->n, r->n == 1 ? "" : "s",
            lint_report_errors(r));
}

/* print_json - the report as JSON on stdout; 0, or -1 */

static int print_json(const struct lint_opts *o, const struct lint_report *r)
{
    char config[SMTP_SANITIZE_SIZE(512)];
    json_t *root, *arr = json_array();
    int bad = arr == NULL;
    size_t i;

    smtp_sanitize_str(o->postfix_dir ? o->postfix_dir : o->exim_conf, config, sizeof(config));
    for (i = 0; i < r->n && !bad; i++) {
        const struct lint_finding *f = &r->findings[i];

        bad |= json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "id", f->id, "severity",
                           lint_severity_name(f->severity), "file", f->file, "line", f->line, "why",
                           f->why, "fix", f->fix, "excerpt", f->excerpt));
    }
    root = json_pack("{s:s, s:s, s:o, s:I, s:I}", "mta", o->postfix_dir ? "postfix" : "exim",
                     "config", config, "findings", arr ? arr : json_null(), "errors",
                     (json_int_t)lint_report_errors(r), "dropped", (json_int_t)r->dropped);
    if (bad || root == NULL || json_dumpf(root, stdout, JSON_INDENT(2)) < 0) {
        json_decref(root);
        return -1;
    }
    fputc('\n', stdout);
    json_decref(root);
    return 0;
}

/* cli_lint - "relaylab lint" */

int cli_lint(int argc, char **argv)
{
    struct lint_opts o = {0};
    const struct cli_opt opts[] = {
        CLI_TEXT("postfix-config", 0, &o.postfix_dir),
        CLI_TEXT("exim-config", 0, &o.exim_conf),
        CLI_CALL("client", 0, required_argument, opt_client),
        CLI_CALL("domain", 0, required_argument, opt_domain),
        CLI_FLAG("json", 0, &o.json),
    };
    struct lint_report r = {0};
    struct smtp_error err;
    int rc;

    if ((rc = cli_opt_parse("lint", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, usage,
                            &o)) >= 0)
        return rc;
    if (optind < argc)
        return cli_say(CLI_EXIT_USAGE, "relaylab lint: unexpected argument (see --help)\n");
    if (!o.postfix_dir == !o.exim_conf)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab lint: give one of --postfix-config DIR or --exim-config FILE\n");
    if (cli_lint_config(o.postfix_dir, o.exim_conf, &o.params, &r, &err) < 0) {
        cli_error("lint", err.msg);
        lint_report_free(&r);
        return err.cls == SMTP_ERR_INTERNAL ? CLI_EXIT_ENV : CLI_EXIT_USAGE;
    }
    if (o.json ? print_json(&o, &r) < 0 : (cli_lint_print(stdout, &r), 0)) {
        cli_error("lint", "the JSON report could not be built");
        rc = CLI_EXIT_ENV;
    } else {
        rc = lint_report_errors(&r) > 0 ? CLI_EXIT_CHECK : CLI_EXIT_OK;
    }
    lint_report_free(&r);
    return rc;
}
