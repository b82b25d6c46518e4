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
#include <getopt.h> /* no_argument, required_argument */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "mta.h"
#include "run_client.h"
#include "smtp_sanitize.h"

static volatile sig_atomic_t stop_signal;

/* on_signal - remember the signal: the main loop stops on it */

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* usage - sandbox's help */

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
                "  --sasl-down          SASL on, but nothing listens on its socket (no Dovecot)\n"
                "  --no-listener NAME   leave out smtp (25), submission (587) or smtps (465),\n"
                "                       as a config without it (repeatable; one must stay)\n"
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
    setenv("RELAYLAB_ADDR6", inst->addr6, 1);
    setenv("RELAYLAB_OUTSIDE", outside, 1);
    setenv("RELAYLAB_INSIDE", RUN_CLIENT_INSIDE, 1);
    setenv("RELAYLAB_OFFICE", mta_env_private_net(env) ? RUN_CLIENT_OFFICE : "", 1);
    setenv("RELAYLAB_OUTSIDE6", mta_env_private_net(env) ? RUN_CLIENT_OUTSIDE6 : "", 1);
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
    if (inst->addr6[0])
        fprintf(fp, "  IPv6:      the same listeners on %s\n", inst->addr6);
    if (mta_env_private_net(env))
        fprintf(fp,
                "  clients:   inside (the MTA host) " RUN_CLIENT_INSIDE " and " RUN_CLIENT_INSIDE6
                ", office " RUN_CLIENT_OFFICE " (10.0.0.0/24), outside %s and " RUN_CLIENT_OUTSIDE6
                "\n",
                outside);
    else
        fprintf(fp, "  clients:   inside " RUN_CLIENT_INSIDE " and " RUN_CLIENT_INSIDE6
                    " (no other: --shared-network keeps to 127.0.0.0/8 and ::1)\n");
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

struct sandbox_opts {
    struct mta_env_params params;
    struct mta_spec spec;
    const char *mta;
    char *acl; /* --exim-acl's text, owned */
};

/* opt_config - --config FILE: main.cf, *master.cf, or Exim's */

static int opt_config(void *ctx, char *value)
{
    struct mta_spec *spec = &((struct sandbox_opts *)ctx)->spec;
    size_t len = strlen(value);

    if (len >= 9 && strcmp(value + len - 9, "master.cf") == 0)
        spec->user_master_cf = value;
    else if (spec->user_main_cf == NULL)
        spec->user_main_cf = value;
    else {
        fprintf(stderr, "relaylab sandbox: more than one main config\n");
        return CLI_EXIT_USAGE;
    }
    spec->user_exim_conf = value;
    return 0;
}

/* opt_set - --set KEY=VALUE */

static int opt_set(void *ctx, char *value)
{
    struct mta_spec *spec = &((struct sandbox_opts *)ctx)->spec;

    if (spec->nsets == MTA_SETS_MAX || strchr(value, '=') == NULL)
        return cli_say(CLI_EXIT_USAGE, "relaylab sandbox: --set wants KEY=VALUE (at most %d)\n",
                       MTA_SETS_MAX);
    spec->sets[spec->nsets++] = value;
    return 0;
}

/* opt_no_listener - --no-listener smtp|submission|smtps: leave it out, as a config without it */

static int opt_no_listener(void *ctx, char *value)
{
    struct mta_spec *spec = &((struct sandbox_opts *)ctx)->spec;
    unsigned bit = strcmp(value, "smtp") == 0         ? MTA_LISTEN_SMTP
                   : strcmp(value, "submission") == 0 ? MTA_LISTEN_SUBMISSION
                   : strcmp(value, "smtps") == 0      ? MTA_LISTEN_SMTPS
                                                      : 0;

    if (bit == 0)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab sandbox: --no-listener wants smtp, submission or smtps\n");
    spec->no_listeners |= bit;
    /* Something must listen: the sandbox is ready when it answers. */
    if (spec->no_listeners == (MTA_LISTEN_SMTP | MTA_LISTEN_SUBMISSION | MTA_LISTEN_SMTPS))
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab sandbox: --no-listener: at least one listener must stay\n");
    return 0;
}

/* opt_service - --service LINE */

static int opt_service(void *ctx, char *value)
{
    struct mta_spec *spec = &((struct sandbox_opts *)ctx)->spec;

    if (spec->nservices == MTA_LISTENERS_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab sandbox: too many --service\n");
    spec->services[spec->nservices++] = value;
    return 0;
}

/* opt_acl - --exim-acl FILE */

static int opt_acl(void *ctx, char *value)
{
    struct sandbox_opts *o = ctx;

    free(o->acl);
    if ((o->acl = load_text(value)) == NULL)
        return CLI_EXIT_USAGE;
    o->spec.exim_acl_rcpt = o->acl;
    return 0;
}

/* run_command - COMMAND inside the sandbox; its status */

static int run_command(struct mta_env *env, struct mta_instance *inst, const char *outside,
                       char **argv)
{
    pid_t pid;
    int status = 0;

    describe(stderr, env, inst, outside);
    export_env(env, inst, outside);
    if ((pid = fork()) == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "relaylab sandbox: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        if (stop_signal)
            kill(pid, SIGTERM);
    }
    return pid < 0             ? CLI_EXIT_ENV
           : WIFEXITED(status) ? WEXITSTATUS(status)
                               : 128 + WTERMSIG(status);
}

/* wait_stop - run until interrupted, or until the MTA dies; the exit code */

static int wait_stop(struct mta_env *env, struct mta_instance *inst, const char *outside)
{
    describe(stdout, env, inst, outside);
    printf("  (interrupt to stop)\n");
    fflush(stdout);
    while (!stop_signal && mta_alive(inst))
        pause();
    if (!stop_signal) {
        fprintf(stderr, "relaylab sandbox: %s exited on its own; see %s\n",
                mta_kind_name(inst->kind), inst->log_path);
        return CLI_EXIT_ENV;
    }
    return CLI_EXIT_OK;
}

/* sandbox - stand the MTA up, run COMMAND or wait, tear down; the exit code */

static int sandbox(struct sandbox_opts *o, char **command)
{
    struct mta_env *env;
    struct mta_instance *inst;
    struct smtp_error err;
    char outside[32];
    int rc;

    if ((rc = cli_env_open("sandbox", &o->params, &env)) >= 0)
        return rc;
    smtp_error_clear(&err);
    (void)mta_env_outside_addr(env, outside, sizeof(outside)); /* "": --shared-network */
    if ((inst = mta_start(env, &o->spec, &err)) == NULL) {
        cli_error("sandbox", err.msg);
        mta_stop(inst);
        mta_env_close(env);
        return err.cls == SMTP_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ENV;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    rc = command[0] ? run_command(env, inst, outside, command) : wait_stop(env, inst, outside);
    mta_stop(inst);
    mta_env_close(env);
    return rc;
}

/* cli_sandbox - "relaylab sandbox" */

int cli_sandbox(int argc, char **argv)
{
    struct sandbox_opts o = {0};
    const struct cli_opt opts[] = {
        CLI_TEXT("mta", 0, &o.mta),
        CLI_CALL("config", 0, required_argument, opt_config),
        CLI_CALL("set", 0, required_argument, opt_set),
        CLI_CALL("service", 0, required_argument, opt_service),
        CLI_CALL("exim-acl", 0, required_argument, opt_acl),
        CLI_FLAG("plaintext-auth", 0, &o.spec.exim_plaintext_auth),
        CLI_FLAG("no-sasl", 0, &o.spec.no_sasl),
        CLI_FLAG("sasl-down", 0, &o.spec.sasl_down),
        CLI_CALL("no-listener", 0, required_argument, opt_no_listener),
        CLI_FLAG("keep", 0, &o.params.keep),
        CLI_FLAG("shared-network", 0, &o.params.share_net),
    };
    int rc;

    mta_env_params_default(&o.params);
    mta_spec_init(&o.spec, MTA_POSTFIX);
    /* In order: stop at the first non-option, so COMMAND keeps its own flags. */
    rc = cli_opt_parse("sandbox", argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
                       CLI_OPT_IN_ORDER, usage, &o);
    if (rc < 0 && (o.mta == NULL || mta_kind_parse(o.mta, &o.spec.kind) < 0)) {
        fprintf(stderr, "relaylab sandbox: --mta postfix or --mta exim is required\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc < 0) {
        if (o.spec.kind == MTA_POSTFIX)
            o.spec.user_exim_conf = NULL;
        else
            o.spec.user_main_cf = o.spec.user_master_cf = NULL;
        rc = sandbox(&o, argv + optind);
    }
    free(o.acl);
    return rc;
}
