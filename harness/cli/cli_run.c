/*++
 * NAME
 *	cli_run 3
 * SUMMARY
 *	relaylab run: the scenario matrix on real Postfix and Exim
 * SYNOPSIS
 *	relaylab run [options] [PATH...]
 * DESCRIPTION
 *	Loads every scenario first (a malformed one stops the run before
 *	anything starts, and nothing is written), builds the matrix
 *	scenario x variant x MTA, runs it in private sandboxes, writes
 *	results/<run-id>/ atomically and points results/latest at it.
 *--*/
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "number.h"
#include "report_results.h"
#include "run.h"
#include "smtp_sanitize.h"

#define RUN_FILES_MAX 256
#define RUN_CELLS_MAX 4096

static void usage(FILE *fp)
{
    fprintf(fp, "usage: relaylab run [options] [PATH...]\n"
                "\n"
                "Runs every scenario (*.scn) in PATH (files or directories; default\n"
                "scenarios/seed) for each of its variants on each MTA, in private sandboxes,\n"
                "and writes results/<run-id>/ (junit.xml, results.json, results.tap,\n"
                "report.html, cells/*/transcript.txt) and results/latest.\n"
                "\n"
                "  -j, --jobs N            MTA instances at once (default 2)\n"
                "      --mta NAME          only postfix or only exim\n"
                "      --filter TEXT       only cells whose scenario/variant/mta holds TEXT\n"
                "      --repeat N          run every cell N times (a flakiness check)\n"
                "      --shard K/N         only the K-th of N slices of the matrix (CI)\n"
                "      --postfix-config DIR  run the scenarios tagged 'policy' against your own\n"
                "                          DIR/main.cf and DIR/master.cf (rewritten only where\n"
                "                          the sandbox must)\n"
                "      --exim-config FILE  the same against your own Exim config (routers go to\n"
                "                          the sink; every rewrite is listed in the transcript)\n"
                "      --results DIR       where run directories go (default results)\n"
                "  -q, --quiet             no progress line\n"
                "      --keep              keep the sandboxes' run directory (printed)\n"
                "      --compare-swaks     benchmark: after each cell, drive its dialogues with\n"
                "                          swaks too (one process each) and record both times\n"
                "      --fresh             a new MTA instance for every cell (by default cells\n"
                "                          with the same rendered config share one, in turn)\n"
                "      --timeout S         seconds for each step of a dialogue (default 10)\n"
                "      --total-timeout S   seconds for one dialogue (connection; default 60)\n"
                "  -h, --help              this text\n"
                "\n"
                "exit codes: 0 every expectation held, 1 a check failed (or an open relay),\n"
                "2 usage or scenario error (file:line:col, nothing written), 3 environment\n"
                "(an MTA did not start, no root)\n");
}

struct progress {
    int tty;
    int quiet;
};

static void on_progress(void *ctx, size_t done, size_t total, const struct run_cell *cell)
{
    struct progress *p = ctx;
    char name[300];

    if (p->quiet)
        return;
    run_cell_name(cell, name, sizeof(name));
    if (p->tty)
        fprintf(stderr, "\r\033[K[%zu/%zu] %-50.50s %s", done, total, name,
                run_status_name(cell->status));
    else
        fprintf(stderr, "[%zu/%zu] %s %s\n", done, total, name, run_status_name(cell->status));
    if (p->tty && done == total)
        fputc('\n', stderr);
}

/* parse_shard - "K/N", 1 <= K <= N <= RUN_CELLS_MAX */

static int parse_shard(const char *text, int *k, int *n)
{
    const char *slash = strchr(text, '/');
    char part[32];
    long long vk, vn;

    if (slash == NULL || (size_t)(slash - text) >= sizeof(part))
        return -1;
    snprintf(part, sizeof(part), "%.*s", (int)(slash - text), text);
    if (number_parse(slash + 1, 1, RUN_CELLS_MAX, &vn) < 0 || number_parse(part, 1, vn, &vk) < 0)
        return -1;
    *k = (int)vk;
    *n = (int)vn;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* collect - *.scn under path (one level of directories, sorted) */

static int collect(const char *path, char **files, const char **roots, size_t *n)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    size_t first = *n;

    if (stat(path, &st) < 0) {
        fprintf(stderr, "relaylab run: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (*n == RUN_FILES_MAX)
            return -1;
        roots[*n] = NULL; /* a file named on the command line: its own directory */
        files[(*n)++] = strdup(path);
        return 0;
    }
    if ((d = opendir(path)) == NULL) {
        fprintf(stderr, "relaylab run: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char full[1024];

        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0)
            continue;
        if (*n == RUN_FILES_MAX) {
            closedir(d);
            fprintf(stderr, "relaylab run: more than %d scenario files\n", RUN_FILES_MAX);
            return -1;
        }
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        roots[*n] = path; /* the directory named on the command line */
        files[(*n)++] = strdup(full);
    }
    closedir(d);
    qsort(files + first, *n - first, sizeof(char *), cmp_str);
    return 0;
}

int cli_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, 0, 'j'},
        {"mta", required_argument, 0, 'm'},
        {"filter", required_argument, 0, 'f'},
        {"repeat", required_argument, 0, 'r'},
        {"shard", required_argument, 0, 's'},
        {"postfix-config", required_argument, 0, 'P'},
        {"exim-config", required_argument, 0, 'E'},
        {"results", required_argument, 0, 'R'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"keep", no_argument, 0, 'k'},
        {"fresh", no_argument, 0, 'F'},
        {"compare-swaks", no_argument, 0, 'W'},
        {"timeout", required_argument, 0, 'T'},
        {"total-timeout", required_argument, 0, 'O'},
        {0, 0, 0, 0},
    };
    char *files[RUN_FILES_MAX];
    const char *roots[RUN_FILES_MAX]; /* the tree each file's named files must stay in */
    size_t nfiles = 0;
    struct scenario *scenarios = NULL;
    struct run_cell *cells = NULL;
    size_t ncells = 0;
    int keep = 0, fresh = 0, compare_swaks = 0, jobs = 2, repeat = 1, shard_k = 0, shard_n = 0,
        mta_only = -1, ch, rc = CLI_EXIT_OK;
    const char *filter = NULL, *postfix_dir = NULL, *exim_conf = NULL, *results_dir = "results";
    long step_timeout_ms = RUN_STEP_TIMEOUT_MS, total_timeout_ms = RUN_TOTAL_TIMEOUT_MS;
    char main_cf[1024], master_cf[1024];
    struct progress prog = {isatty(2), 0};
    size_t i, v, r;
    long long num;
    int k;

    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            if (cli_number("--jobs", optarg, 1, 64, &num) < 0)
                return CLI_EXIT_USAGE;
            jobs = (int)num;
            break;
        case 'm': {
            enum mta_kind kind;

            if (mta_kind_parse(optarg, &kind) < 0) {
                fprintf(stderr, "relaylab run: --mta is one of:");
                for (k = 0; k < MTA_KINDS; k++)
                    fprintf(stderr, " %s", mta_kind_name((enum mta_kind)k));
                fprintf(stderr, "\n");
                return CLI_EXIT_USAGE;
            }
            mta_only = (int)kind;
            break;
        }
        case 'f':
            filter = optarg;
            break;
        case 'r':
            if (cli_number("--repeat", optarg, 1, 1000, &num) < 0)
                return CLI_EXIT_USAGE;
            repeat = (int)num;
            break;
        case 's':
            if (parse_shard(optarg, &shard_k, &shard_n) < 0) {
                fprintf(stderr,
                        "relaylab: --shard: expected K/N with 1 <= K <= N <= %d, got '%s'\n",
                        RUN_CELLS_MAX, optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'P':
            postfix_dir = optarg;
            break;
        case 'E':
            exim_conf = optarg;
            break;
        case 'R':
            results_dir = optarg;
            break;
        case 'q':
            prog.quiet = 1;
            break;
        case 'k':
            keep = 1;
            break;
        case 'F':
            fresh = 1;
            break;
        case 'T':
        case 'O':
            if (cli_seconds(ch == 'T' ? "--timeout" : "--total-timeout", optarg,
                            ch == 'T' ? &step_timeout_ms : &total_timeout_ms) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'W':
            compare_swaks = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "relaylab run: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        if (collect(postfix_dir || exim_conf ? "scenarios/policy" : "scenarios/seed", files, roots,
                    &nfiles) < 0)
            return CLI_EXIT_USAGE;
    }
    for (; optind < argc; optind++)
        if (collect(argv[optind], files, roots, &nfiles) < 0)
            return CLI_EXIT_USAGE;
    if (nfiles == 0) {
        fprintf(stderr, "relaylab run: no scenario files (*.scn)\n");
        return CLI_EXIT_USAGE;
    }
    if (postfix_dir) {
        snprintf(main_cf, sizeof(main_cf), "%s/main.cf", postfix_dir);
        snprintf(master_cf, sizeof(master_cf), "%s/master.cf", postfix_dir);
        if (access(main_cf, R_OK) < 0 || access(master_cf, R_OK) < 0) {
            fprintf(stderr, "relaylab run: %s needs main.cf and master.cf\n", postfix_dir);
            return CLI_EXIT_USAGE;
        }
        mta_only = MTA_POSTFIX;
    }
    if (exim_conf) {
        if (access(exim_conf, R_OK) < 0) {
            fprintf(stderr, "relaylab run: cannot read %s\n", exim_conf);
            return CLI_EXIT_USAGE;
        }
        mta_only = postfix_dir ? -1 : MTA_EXIM;
    }
    /* Every file parses, or nothing runs and nothing is written. */
    if ((scenarios = calloc(nfiles, sizeof(*scenarios))) == NULL) {
        fprintf(stderr, "relaylab run: out of memory\n");
        return CLI_EXIT_ENV;
    }
    for (i = 0; i < nfiles; i++) {
        struct scenario_error err;

        if (scenario_load(files[i], roots[i], &scenarios[i], &err) < 0 ||
            run_scenario_check(&scenarios[i], &err) < 0) {
            char msg[600];
            char clean[SMTP_SANITIZE_SIZE(600)];

            /* It quotes the file: what a scenario holds is hostile. */
            scenario_error_format(&err, msg, sizeof(msg));
            smtp_sanitize_str(msg, clean, sizeof(clean));
            fprintf(stderr, "%s\n", clean);
            rc = CLI_EXIT_USAGE;
        }
    }
    for (i = 0; i < nfiles && rc == CLI_EXIT_OK; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(scenarios[i].id, scenarios[j].id) == 0) {
                char file[1024], other[1024];

                smtp_sanitize_str(scenarios[i].id_pos.file, file, sizeof(file));
                smtp_sanitize_str(files[j], other, sizeof(other));
                fprintf(stderr, "%s:%d:%d: scenario id '%s' is also used by %s\n", file,
                        scenarios[i].id_pos.line, scenarios[i].id_pos.col, scenarios[i].id, other);
                rc = CLI_EXIT_USAGE;
            }
    if (rc != CLI_EXIT_OK)
        goto out;
    cells = calloc(RUN_CELLS_MAX, sizeof(*cells));
    for (r = 0; cells && r < (size_t)repeat; r++)
        for (i = 0; i < nfiles; i++) {
            const struct scenario *s = &scenarios[i];

            if ((postfix_dir || exim_conf) && !scenario_has_tag(s, "policy"))
                continue;
            for (v = 0; v < (s->nvariants ? s->nvariants : 1); v++)
                for (k = 0; k < MTA_KINDS; k++) {
                    struct run_cell *c;
                    char name[300];
                    unsigned bit = scenario_mta_bit(mta_kind_name((enum mta_kind)k));

                    if ((s->mtas && !(s->mtas & bit)) || (mta_only >= 0 && k != mta_only))
                        continue;
                    if (ncells == RUN_CELLS_MAX) {
                        fprintf(stderr, "relaylab run: more than %d cells\n", RUN_CELLS_MAX);
                        rc = CLI_EXIT_USAGE;
                        goto out;
                    }
                    c = &cells[ncells];
                    memset(c, 0, sizeof(*c));
                    c->scenario = s;
                    c->variant = v;
                    c->mta = (enum mta_kind)k;
                    c->repeat = (int)r;
                    run_cell_name(c, name, sizeof(name));
                    if (filter && strstr(name, filter) == NULL)
                        continue;
                    ncells++;
                }
        }
    if (shard_n > 0) {
        size_t kept = 0;

        for (i = 0; i < ncells; i++)
            if ((int)(i % (size_t)shard_n) == shard_k - 1)
                cells[kept++] = cells[i];
        ncells = kept;
    }
    if (cells == NULL || ncells == 0) {
        fprintf(stderr, "relaylab run: no cell to run (check --mta, --filter, --shard)\n");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    {
        struct mta_env_params params;
        struct mta_env *env;
        struct smtp_error err;
        struct run_params rp = {0};
        struct report_meta meta = {0};
        char kept[256];
        char run_id[64], started[32], final[1100], latest[1100], tmp_link[1200];
        time_t now = time(NULL);
        long t0, child;
        struct tm tm;

        mta_env_params_default(&params);
        params.keep = keep;
        smtp_error_clear(&err);
        if ((child = mta_env_isolate(&params, &err)) < 0) {
            cli_error("run", err.msg);
            rc = CLI_EXIT_ENV;
            goto out;
        }
        if (child > 0) {
            rc = mta_env_wait_isolated(child);
            goto out;
        }
        if ((env = mta_env_open(&params, &err)) == NULL) {
            cli_error("run", err.msg);
            rc = CLI_EXIT_ENV;
            goto out;
        }
        gmtime_r(&now, &tm);
        strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
        strftime(run_id, sizeof(run_id), "%Y%m%dT%H%M%SZ", &tm);
        snprintf(run_id + strlen(run_id), sizeof(run_id) - strlen(run_id), "-%ld",
                 mta_env_host_pid());
        rp.jobs = jobs;
        rp.fresh_instances = fresh;
        rp.step_timeout_ms = step_timeout_ms;
        rp.total_timeout_ms = total_timeout_ms;
        rp.compare_swaks = compare_swaks;
        rp.postfix_main_cf = postfix_dir ? main_cf : NULL;
        rp.postfix_master_cf = postfix_dir ? master_cf : NULL;
        rp.exim_conf = exim_conf;
        rp.progress = on_progress;
        rp.progress_ctx = &prog;
        t0 = mta_env_now_ms();
        if (run_matrix(env, cells, ncells, &rp, &err) < 0) {
            cli_error("run", err.msg);
            mta_env_close(env);
            rc = CLI_EXIT_ENV;
            goto out;
        }
        snprintf(kept, sizeof(kept), "%s", mta_env_kept_dir(env) ? mta_env_kept_dir(env) : "");
        mta_env_close(env);
        meta.run_id = run_id;
        meta.started = started;
        meta.wall_ms = mta_env_now_ms() - t0;
        meta.relaylab_version = RELAYLAB_VERSION;
        /* Written whole into a hidden directory, then renamed into place. */
        snprintf(latest, sizeof(latest), "%s/latest", results_dir);
        snprintf(tmp_link, sizeof(tmp_link), "%s/.latest.%s", results_dir, run_id);
        smtp_error_clear(&err);
        if (report_publish_run(results_dir, cells, ncells, &meta, final, sizeof(final), &err) ==
            0) {
            unlink(tmp_link);
            if (symlink(run_id, tmp_link) < 0 || rename(tmp_link, latest) < 0)
                fprintf(stderr, "relaylab run: cannot update %s: %s\n", latest, strerror(errno));
        }
        report_console(stdout, cells, ncells, isatty(1));
        if (err.cls == SMTP_ERR_NONE) {
            printf("results: %s (%.1f s)\n", final, meta.wall_ms / 1000.0);
        } else {
            /* A report is whole or not at all: nothing partial is renamed into place. */
            fflush(stdout);
            cli_error("run", "results not written (nothing was left in their place)");
            cli_error("run", err.msg);
            rc = CLI_EXIT_ENV;
        }
        if (compare_swaks) {
            long ours = 0, theirs = 0, waits = 0;
            int dialogues = 0;

            for (i = 0; i < ncells; i++) {
                ours += cells[i].dialogue_ms - cells[i].relay_wait_ms;
                waits += cells[i].relay_wait_ms;
                theirs += cells[i].swaks_ms;
                dialogues += cells[i].swaks_dialogues;
            }
            printf("dialogues: %d; relaylab %.2f s (plus %.2f s waiting for the sink, which swaks "
                   "does not do), swaks %.2f s (one process each): %.1fx\n",
                   dialogues, ours / 1000.0, waits / 1000.0, theirs / 1000.0,
                   ours ? (double)theirs / ours : 0.0);
        }
        if (kept[0])
            printf("kept: %s\n", kept);
        if (rc == CLI_EXIT_OK)
            for (i = 0; i < ncells; i++) {
                if (cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY)
                    rc = CLI_EXIT_CHECK;
                else if (cells[i].status == RUN_ERROR && rc == CLI_EXIT_OK)
                    rc = CLI_EXIT_ENV;
            }
        for (i = 0; i < ncells; i++)
            run_cell_free(&cells[i]);
    }
out:
    free(cells);
    free(scenarios);
    for (i = 0; i < nfiles; i++)
        free(files[i]);
    return rc;
}
