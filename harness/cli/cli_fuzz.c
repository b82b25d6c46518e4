/*++
 * NAME
 *	cli_fuzz 3
 * SUMMARY
 *	relaylab fuzz: a live MTA against mutated SMTP dialogues
 * SYNOPSIS
 *	relaylab fuzz --mta postfix|exim [--scenario FILE [--variant NAME]]
 *		[--time S] [--seed N] [-j N] [--results DIR]
 *--*/
#include <errno.h>
#include <getopt.h> /* no_argument, required_argument */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"
#include "run_fuzz.h"
#include "smtp_sanitize.h"

/*
 * Dialogues at once: the MTA's work per connection is most of the cost,
 * so two cores are kept busy by a few more dialogues than cores, which
 * also hide each other's round trips (bench/RESULTS.md, issue 11).
 */
#define CLI_FUZZ_JOBS 4
#define CLI_FUZZ_JOBS_MAX 64

/* usage - fuzz's help */

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: relaylab fuzz --mta postfix|exim [options]\n"
            "       relaylab fuzz --postfix-config DIR | --exim-config FILE [options]\n"
            "\n"
            "Stands up the MTA with a scenario variant's config (or the base config) and\n"
            "sends it mutated dialogues: senders, relay-trick recipients for %s,\n"
            "ESMTP parameters, verb case, bare LF and CR, end-of-data variants, command\n"
            "order, pipelining; never AUTH. Oracles: mail for %s reaches the\n"
            "capture sink (an open relay), the MTA dies, no reply, a reply that breaks the\n"
            "protocol. Each finding is minimized and written as a scenario file that\n"
            "'relaylab run' reproduces.\n"
            "With your own config instead: seeds from relaylab audit's attempts, a client\n"
            "outside its trusted networks, and a relay is mail for a domain it neither\n"
            "delivers nor relays for; one finding per trick.\n"
            "\n"
            "  --mta NAME         postfix or exim\n"
            "  --postfix-config DIR\n"
            "                     your own Postfix config instead of --mta and --scenario:\n"
            "                     DIR/main.cf (DIR/master.cf if there, the tables beside)\n"
            "  --exim-config FILE the same for your own Exim config\n"
            "  --scenario FILE    config and seed dialogue from this scenario\n"
            "  --variant NAME     its variant (default: the first)\n"
            "  --time S           seconds to fuzz (default 60)\n"
            "  --seed N           random seed (default: from the clock; printed)\n"
            "  -j, --jobs N       dialogues at once (1 to %d, default %d); the same seed\n"
            "                     sends the same dialogues whatever N\n"
            "  --results DIR      where fuzz-<run-id>/ goes (default results)\n"
            "  --max-findings N   stop after N findings (1 to %d)\n"
            "  -q, --quiet        no stats line\n"
            "\n"
            "exit codes: 0 no finding, 1 findings (listed), 2 usage, 3 environment\n",
            RUN_FUZZ_VICTIM_DOMAIN, RUN_FUZZ_VICTIM_DOMAIN, CLI_FUZZ_JOBS_MAX, CLI_FUZZ_JOBS,
            RUN_FUZZ_FINDINGS_MAX);
}

/* on_stats - the stats line on stderr (redrawn on a terminal), unless --quiet */

static void on_stats(void *ctx, const struct run_fuzz_stats *st)
{
    int *quiet = ctx;

    if (*quiet)
        return;
    fprintf(stderr, "%s%6.1f s  %lu dialogues (%.0f/s)  findings %lu  reply states %zu%s",
            isatty(2) ? "\r\033[K" : "", st->elapsed_ms / 1000.0, st->dialogues,
            st->elapsed_ms ? st->dialogues * 1000.0 / st->elapsed_ms : 0.0, st->findings,
            st->states, isatty(2) ? "" : "\n");
}

/* load_scenario - --scenario FILE [--variant NAME] into p; 0, or an exit code */

static int load_scenario(const char *path, const char *variant, struct scenario *scn,
                         struct run_fuzz_params *p)
{
    struct scenario_error serr;
    size_t i;

    if (path == NULL) {
        if (variant == NULL)
            return 0;
        fprintf(stderr, "relaylab fuzz: --variant needs --scenario\n");
        return CLI_EXIT_USAGE;
    }
    if (scenario_load(path, NULL, scn, &serr) < 0 || run_scenario_check(scn, &serr) < 0) {
        char msg[600];
        char clean[SMTP_SANITIZE_SIZE(600)];

        scenario_error_format(&serr, msg, sizeof(msg));
        smtp_sanitize_str(msg, clean, sizeof(clean));
        fprintf(stderr, "%s\n", clean);
        return CLI_EXIT_USAGE;
    }
    p->scenario = scn;
    if (variant) {
        for (i = 0; i < scn->nvariants && strcmp(scn->variants[i].name, variant); i++)
            ;
        if (i == scn->nvariants)
            return cli_say(CLI_EXIT_USAGE, "relaylab fuzz: %s has no variant '%s'\n", path,
                           variant);
        p->variant = i;
    }
    return 0;
}

/* print_findings - move the findings into place and list them; the exit code */

static int print_findings(const struct run_fuzz_params *p, struct run_fuzz_result *res,
                          const char *config, const char *tmp, char *dir, size_t size)
{
    char with[4200] = "";
    char clean_config[SMTP_SANITIZE_SIZE(4096)];

    if (p->user_main_cf || p->user_exim_conf)
        snprintf(with, sizeof(with), "--%s-config %.4000s ", mta_kind_name(p->mta),
                 (smtp_sanitize_str(config, clean_config, sizeof(clean_config)), clean_config));
    size_t i;

    if (res->nfindings == 0) {
        rmdir(tmp);
        printf("relaylab fuzz: %lu dialogues, no finding\n", res->stats.dialogues);
        return CLI_EXIT_OK;
    }
    if (rename(tmp, dir) < 0) {
        fprintf(stderr, "relaylab fuzz: cannot rename %s: %s\n", tmp, strerror(errno));
        snprintf(dir, size, "%s", tmp);
    }
    printf("relaylab fuzz: %lu dialogues, %zu finding%s (in %s):\n", res->stats.dialogues,
           res->nfindings, res->nfindings == 1 ? "" : "s", dir);
    for (i = 0; i < res->nfindings; i++) {
        char *arrow = strstr(res->findings[i], " -> ");
        const char *slash = arrow ? strrchr(arrow, '/') : NULL;
        char clean[SMTP_SANITIZE_SIZE(sizeof(res->findings[i]))];

        if (arrow)
            *arrow = 0;
        /* A finding quotes what the sink received: hostile. */
        smtp_sanitize_str(res->findings[i], clean, sizeof(clean));
        printf("  %s\n    reproduce: relaylab run %s%s/%s\n", clean, with, dir,
               slash ? slash + 1 : "?");
    }
    return CLI_EXIT_CHECK;
}

/* fuzz_in_sandbox - the MTA environment, the fuzzing, the findings; the exit code */

static int fuzz_in_sandbox(struct run_fuzz_params *p, const char *scenario_path,
                           const char *results, int *quiet)
{
    struct run_fuzz_result res;
    struct mta_env_params ep;
    struct mta_env *env;
    struct smtp_error err;
    char dir[1200], tmp[1200];

    int rc;

    mta_env_params_default(&ep);
    if ((rc = cli_env_open("fuzz", &ep, &env)) >= 0)
        return rc;
    smtp_error_clear(&err);
    mkdir(results, 0755);
    snprintf(dir, sizeof(dir), "%s/fuzz-%ld-%lu", results, (long)time(NULL), p->seed);
    /* A new directory of our own (mkdtemp), never one found there. */
    snprintf(tmp, sizeof(tmp), "%s/.tmp.fuzz-%lu.XXXXXX", results, p->seed);
    if (mkdtemp(tmp) == NULL || chmod(tmp, 0755) < 0) {
        fprintf(stderr, "relaylab fuzz: cannot write in %s: %s\n", results, strerror(errno));
        mta_env_close(env);
        return CLI_EXIT_ENV;
    }
    p->out_dir = tmp;
    p->progress = on_stats;
    p->ctx = quiet;
    fprintf(stderr, "relaylab fuzz: %s, seed %lu, %ld s, %zu at once%s%s%s%s\n",
            mta_kind_name(p->mta), p->seed, p->seconds, p->jobs,
            scenario_path ? ", config of " : ", base config", scenario_path ? scenario_path : "",
            p->scenario && p->scenario->nvariants ? " variant " : "",
            p->scenario && p->scenario->nvariants ? p->scenario->variants[p->variant].name : "");
    if (run_fuzz(env, p, &res, &err) < 0) {
        fputc('\n', stderr);
        cli_error("fuzz", err.msg);
        mta_env_close(env);
        rmdir(tmp);
        return CLI_EXIT_ENV;
    }
    mta_env_close(env);
    on_stats(quiet, &res.stats);
    if (!*quiet)
        fputc('\n', stderr);
    return print_findings(p, &res, scenario_path, tmp, dir, sizeof(dir));
}

/* cli_fuzz - "relaylab fuzz" */

int cli_fuzz(int argc, char **argv)
{
    static struct scenario scn;
    struct run_fuzz_params p;
    const char *scenario_path = NULL, *variant = NULL, *results = "results";
    const char *postfix_dir = NULL, *exim_conf = NULL;
    static char main_cf[4096], master_cf[4096];
    int quiet = 0, has_mta = 0, rc;
    const struct cli_opt opts[] = {
        CLI_CHOICE("mta", required_argument, &p.mta, cli_mta_words, cli_mta_values),
        CLI_TEXT("scenario", 0, &scenario_path),
        CLI_TEXT("postfix-config", 0, &postfix_dir),
        CLI_TEXT("exim-config", 0, &exim_conf),
        CLI_TEXT("variant", 0, &variant),
        CLI_NUMBER(CLI_OPT_LONG, "time", 0, &p.seconds, 1, 86400),
        CLI_NUMBER(CLI_OPT_ULONG, "seed", 0, &p.seed, 0, ULONG_MAX),
        CLI_NUMBER(CLI_OPT_SIZE, "jobs", 'j', &p.jobs, 1, CLI_FUZZ_JOBS_MAX),
        CLI_TEXT("results", 0, &results),
        CLI_FLAG("quiet", 'q', &quiet),
        CLI_NUMBER(CLI_OPT_SIZE, "max-findings", 0, &p.max_findings, 1, RUN_FUZZ_FINDINGS_MAX),
    };
    int i;

    memset(&p, 0, sizeof(p));
    p.seconds = 60;
    p.jobs = CLI_FUZZ_JOBS;
    p.seed = (unsigned long)time(NULL) ^ (unsigned long)getpid() << 16;
    if ((rc = cli_opt_parse("fuzz", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, usage,
                            &p)) >= 0)
        return rc;
    if (optind < argc || strcmp(argv[0], "fuzz") != 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (i = 1; i < argc; i++)
        has_mta |= strcmp(argv[i], "--mta") == 0 || strncmp(argv[i], "--mta=", 6) == 0;
    if ((postfix_dir || exim_conf) && (scenario_path || has_mta || (postfix_dir && exim_conf)))
        return cli_say(CLI_EXIT_USAGE, "relaylab fuzz: --postfix-config or --exim-config alone: "
                                       "not with each other, --mta or --scenario\n");
    if (postfix_dir) {
        snprintf(main_cf, sizeof(main_cf), "%s/main.cf", postfix_dir);
        snprintf(master_cf, sizeof(master_cf), "%s/master.cf", postfix_dir);
        if (access(main_cf, R_OK) < 0)
            return cli_say(CLI_EXIT_USAGE, "relaylab fuzz: cannot read %s\n", main_cf);
        p.mta = MTA_POSTFIX;
        p.user_main_cf = main_cf;
        p.user_master_cf = access(master_cf, R_OK) == 0 ? master_cf : NULL;
        return fuzz_in_sandbox(&p, postfix_dir, results, &quiet);
    }
    if (exim_conf) {
        if (access(exim_conf, R_OK) < 0)
            return cli_say(CLI_EXIT_USAGE, "relaylab fuzz: cannot read %s\n", exim_conf);
        p.mta = MTA_EXIM;
        p.user_exim_conf = exim_conf;
        return fuzz_in_sandbox(&p, exim_conf, results, &quiet);
    }
    if (!has_mta)
        return cli_say(CLI_EXIT_USAGE, "relaylab fuzz: --mta postfix or --mta exim is required\n");
    if ((rc = load_scenario(scenario_path, variant, &scn, &p)) != 0)
        return rc;
    return fuzz_in_sandbox(&p, scenario_path, results, &quiet);
}
