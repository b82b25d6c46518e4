/*++
 * NAME
 *	cli_sandbox 3
 * SUMMARY
 *	relaylab sandbox: stand up one private MTA
 * SYNOPSIS
 *	relaylab sandbox --mta postfix|exim [options] [-- COMMAND [ARG...]]
 * DESCRIPTION
 *	Stands up a Postfix (with Dovecot SASL) or an Exim, with its
 *	capture sink, and prints where everything is. Without COMMAND it
 *	runs until interrupted; with COMMAND it runs that inside the
 *	sandbox (same network and mounts) with RELAYLAB_* variables set,
 *	tears everything down, and exits with the command's status.
 *--*/
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "mta.h"
#include "smtp_sanitize.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void usage(FILE *fp)
{
    fprintf(fp, "usage: relaylab sandbox --mta postfix|exim [options] [-- COMMAND [ARG...]]\n"
                "\n"
                "Stands up a private MTA (Postfix with Dovecot SASL, or Exim) with a capture\n"
                "sink as its next hop, prints its addresses, listeners, test user and password,\n"
                "and runs until interrupted. With COMMAND, runs it inside the sandbox with\n"
                "RELAYLAB_ADDR, RELAYLAB_USER, RELAYLAB_PASSWORD, RELAYLAB_CA, RELAYLAB_SINK_DIR,\n"
                "RELAYLAB_OUTSIDE (a client address outside mynetworks) and more set, then\n"
                "tears down and exits with COMMAND's status.\n"
                "\n"
                "  --mta NAME           postfix or exim\n"
                "  --config FILE        your own config: Postfix main.cf, or master.cf when the\n"
                "                       file is named *master.cf (repeatable); rewritten only\n"
                "                       where the sandbox must, and every rewrite is listed\n"
                "  --set KEY=VALUE      Postfix main.cf parameter, or Exim macro (repeatable):\n"
                "                       LOCAL_DOMAINS, RELAY_TO_DOMAINS, RELAY_FROM_HOSTS,\n"
                "                       AUTH_ADVERTISE\n"
                "  --service LINE       extra Postfix master.cf service (repeatable), e.g.\n"
                "                       '10025 inet n - n - - smtpd -o mynetworks=127.0.0.0/8'\n"
                "  --exim-acl FILE      replace Exim's rcpt ACL body with FILE\n"
                "  --plaintext-auth     Exim: plaintext authenticators instead of Dovecot\n"
                "  --no-sasl            Postfix: no Dovecot, smtpd_sasl_auth_enable = no\n"
                "  --keep               keep the run directory (printed) after exit\n"
                "  --shared-network     use the caller's network namespace instead of a private\n"
                "                       one (then ports 25, 587, 465 on 127.0.0.10 must be free)\n"
                "  -h, --help           this text\n"
                "\n"
                "Needs root (Postfix's master, Exim's daemon, namespaces).\n"
                "exit codes: 0 ok (or COMMAND's status), 2 usage, 3 environment (the MTA's own\n"
                "error is printed)\n");
}

/* load_text - --exim-acl FILE */

static char *load_text(const char *path)
{
    struct smtp_error err;
    char *text;

    smtp_error_clear(&err);
    if ((text = mta_read_file(path, &err)) == NULL)
        cli_error("sandbox", err.msg);
    return text;
}

/* export_env - RELAYLAB_* for COMMAND */

static void export_env(struct mta_env *env, const struct mta_instance *inst, const char *outside)
{
    char buf[64];
    size_t i;

    setenv("RELAYLAB_MTA", mta_kind_name(inst->kind), 1);
    setenv("RELAYLAB_ADDR", inst->addr, 1);
    for (i = 0; i < inst->nlisteners; i++) {
        char name[64];
        size_t j;

        snprintf(name, sizeof(name), "RELAYLAB_PORT_%s", inst->listeners[i].name);
        for (j = 0; name[j]; j++)
            if (name[j] >= 'a' && name[j] <= 'z')
                name[j] = (char)(name[j] - 'a' + 'A');
        snprintf(buf, sizeof(buf), "%d", inst->listeners[i].port);
        setenv(name, buf, 1);
    }
    setenv("RELAYLAB_USER", mta_env_user(env, 0)->name, 1);
    setenv("RELAYLAB_PASSWORD", mta_env_user(env, 0)->pass, 1);
    setenv("RELAYLAB_APP_USER", mta_env_user(env, 1)->name, 1);
    setenv("RELAYLAB_APP_PASSWORD", mta_env_user(env, 1)->pass, 1);
    setenv("RELAYLAB_CA", inst->ca_path, 1);
    setenv("RELAYLAB_SINK_DIR", inst->sink_dir, 1);
    snprintf(buf, sizeof(buf), "%s:%d", inst->sink_addr, inst->sink_port);
    setenv("RELAYLAB_SINK", buf, 1);
    setenv("RELAYLAB_CONFIG", inst->config_path, 1);
    setenv("RELAYLAB_LOG", inst->log_path, 1);
    setenv("RELAYLAB_DIR", inst->dir, 1);
    setenv("RELAYLAB_OUTSIDE", outside, 1);
    setenv("RELAYLAB_INSIDE", "127.0.0.1", 1);
}

/* describe - what a person needs to poke at the sandbox */

static void describe(FILE *fp, struct mta_env *env, const struct mta_instance *inst,
                     const char *outside)
{
    size_t i;

    fprintf(fp, "relaylab sandbox: %s ready in %ld ms\n", mta_kind_name(inst->kind),
            inst->start_ms);
    fprintf(fp, "  listeners:");
    for (i = 0; i < inst->nlisteners; i++)
        fprintf(fp, "%s %s %s:%d%s", i ? "," : "", inst->listeners[i].name, inst->addr,
                inst->listeners[i].port, inst->listeners[i].implicit_tls ? " (TLS)" : "");
    fprintf(fp, "\n  user:      %s  password: %s\n", mta_env_user(env, 0)->name,
            mta_env_user(env, 0)->pass);
    fprintf(fp, "  app user:  %s  password: %s\n", mta_env_user(env, 1)->name,
            mta_env_user(env, 1)->pass);
    fprintf(fp, "  clients:   inside mynetworks 127.0.0.1, outside %s\n", outside);
    fprintf(fp, "  CA:        %s\n  config:    %s\n  log:       %s\n", inst->ca_path,
            inst->config_path, inst->log_path);
    fprintf(fp, "  sink:      %s:%d, messages in %s\n", inst->sink_addr, inst->sink_port,
            inst->sink_dir);
    if (mta_env_kept_dir(env))
        fprintf(fp, "  kept:      %s is %s outside the sandbox\n", mta_env_dir(env),
                mta_env_kept_dir(env));
    for (i = 0; i < inst->nrewrites; i++) {
        char clean[SMTP_SANITIZE_SIZE(sizeof(inst->rewrites[i]))];

        /* It names parts of the user's config. */
        smtp_sanitize_str(inst->rewrites[i], clean, sizeof(clean));
        fprintf(fp, "  rewrote    %s\n", clean);
    }
    if (mta_env_isolated(env))
        fprintf(fp, "  enter:     nsenter -t %ld -n -m -- relaylab send --server %s:25 ...\n",
                mta_env_host_pid(), inst->addr);
}

int cli_sandbox(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"mta", required_argument, 0, 'm'},
        {"config", required_argument, 0, 'c'},
        {"set", required_argument, 0, 's'},
        {"service", required_argument, 0, 'S'},
        {"exim-acl", required_argument, 0, 'A'},
        {"plaintext-auth", no_argument, 0, 'P'},
        {"no-sasl", no_argument, 0, 'N'},
        {"keep", no_argument, 0, 'k'},
        {"shared-network", no_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct mta_env_params params;
    struct mta_spec spec;
    struct mta_env *env;
    struct mta_instance *inst;
    struct smtp_error err;
    char outside[32];
    char *acl = NULL;
    const char *mta = NULL;
    int ch;
    int rc = CLI_EXIT_OK;
    int share_net = 0;

    mta_env_params_default(&params);
    mta_spec_init(&spec, MTA_POSTFIX);
    optind = 1;
    opterr = 0;
    /* "+": stop at the first non-option, so COMMAND keeps its own flags. */
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'm':
            mta = optarg;
            break;
        case 'c': {
            size_t len = strlen(optarg);

            if (len >= 9 && strcmp(optarg + len - 9, "master.cf") == 0)
                spec.user_master_cf = optarg;
            else if (spec.user_main_cf == NULL)
                spec.user_main_cf = optarg;
            else {
                fprintf(stderr, "relaylab sandbox: more than one main config\n");
                return CLI_EXIT_USAGE;
            }
            spec.user_exim_conf = optarg;
            break;
        }
        case 's':
            if (spec.nsets == MTA_SETS_MAX || strchr(optarg, '=') == NULL) {
                fprintf(stderr, "relaylab sandbox: --set wants KEY=VALUE (at most %d)\n",
                        MTA_SETS_MAX);
                return CLI_EXIT_USAGE;
            }
            spec.sets[spec.nsets++] = optarg;
            break;
        case 'S':
            if (spec.nservices == MTA_LISTENERS_MAX) {
                fprintf(stderr, "relaylab sandbox: too many --service\n");
                return CLI_EXIT_USAGE;
            }
            spec.services[spec.nservices++] = optarg;
            break;
        case 'A':
            free(acl);
            if ((acl = load_text(optarg)) == NULL)
                return CLI_EXIT_USAGE;
            spec.exim_acl_rcpt = acl;
            break;
        case 'P':
            spec.exim_plaintext_auth = 1;
            break;
        case 'N':
            spec.no_sasl = 1;
            break;
        case 'k':
            params.keep = 1;
            break;
        case 'n':
            share_net = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "relaylab sandbox: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (mta == NULL || mta_kind_parse(mta, &spec.kind) < 0) {
        fprintf(stderr, "relaylab sandbox: --mta postfix or --mta exim is required\n");
        free(acl);
        return CLI_EXIT_USAGE;
    }
    if (spec.kind == MTA_POSTFIX)
        spec.user_exim_conf = NULL;
    else
        spec.user_main_cf = spec.user_master_cf = NULL;
    params.share_net = share_net;
    smtp_error_clear(&err);
    {
        long child = mta_env_isolate(&params, &err);

        if (child < 0) {
            cli_error("sandbox", err.msg);
            free(acl);
            return CLI_EXIT_ENV;
        }
        if (child > 0) {
            free(acl);
            return mta_env_wait_isolated(child);
        }
    }
    if ((env = mta_env_open(&params, &err)) == NULL) {
        cli_error("sandbox", err.msg);
        free(acl);
        return CLI_EXIT_ENV;
    }
    if ((inst = mta_start(env, &spec, &err)) == NULL ||
        mta_env_addr(env, outside, sizeof(outside), &err) < 0) {
        cli_error("sandbox", err.msg);
        mta_stop(inst);
        mta_env_close(env);
        free(acl);
        return err.cls == SMTP_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ENV;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    if (optind < argc) {
        pid_t pid;
        int status = 0;

        describe(stderr, env, inst, outside);
        export_env(env, inst, outside);
        if ((pid = fork()) == 0) {
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            signal(SIGHUP, SIG_DFL);
            execvp(argv[optind], argv + optind);
            fprintf(stderr, "relaylab sandbox: cannot run %s: %s\n", argv[optind], strerror(errno));
            _exit(127);
        }
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            if (stop_signal)
                kill(pid, SIGTERM);
        }
        rc = pid < 0             ? CLI_EXIT_ENV
             : WIFEXITED(status) ? WEXITSTATUS(status)
                                 : 128 + WTERMSIG(status);
    } else {
        describe(stdout, env, inst, outside);
        printf("  (interrupt to stop)\n");
        fflush(stdout);
        while (!stop_signal && mta_alive(inst))
            pause();
        if (!stop_signal) {
            fprintf(stderr, "relaylab sandbox: %s exited on its own; see %s\n",
                    mta_kind_name(inst->kind), inst->log_path);
            rc = CLI_EXIT_ENV;
        }
    }
    mta_stop(inst);
    mta_env_close(env);
    free(acl);
    return rc;
}
