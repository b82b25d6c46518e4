/*++
 * NAME
 *	report_send 3
 * SUMMARY
 *	relaylab send's result as JSON
 * DESCRIPTION
 *	See report_send.h.
 *--*/
#include <string.h>

#include <jansson.h>

#include "report_cert.h"
#include "report_send.h"
#include "report_transcript.h"
#include "smtp_sanitize.h"

/* error_json - the error record as {"class", "message", ["code", "enhanced", "reply"]} */

static json_t *error_json(const struct smtp_error *e)
{
    char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];
    json_t *err;
    int bad = 0;

    smtp_sanitize_str(e->msg, msg, sizeof(msg));
    err = json_pack("{s:s, s:s}", "class", smtp_error_class_name(e->cls), "message", msg);
    if (err && e->code)
        bad |= json_object_set_new(err, "code", json_integer(e->code));
    if (err && e->enhanced[0])
        bad |= json_object_set_new(err, "enhanced", json_string(e->enhanced));
    if (err && e->reply[0]) /* smtp_error_set_reply sanitized it */
        bad |= json_object_set_new(err, "reply", json_string(e->reply));
    if (bad) {
        json_decref(err);
        return NULL;
    }
    return err;
}

/* dump - root to fp with a newline, and release it; 0 or -1 */

static int dump(FILE *fp, json_t *root, int bad)
{
    if (root == NULL || bad || json_dumpf(root, fp, JSON_INDENT(2)) < 0) {
        json_decref(root);
        return -1;
    }
    fputc('\n', fp);
    json_decref(root);
    return 0;
}

/* report_send_json - see report_send.h */

int report_send_json(FILE *fp, const struct engine_send_params *p,
                     const struct engine_send_outcome *out, const struct smtp_tls_chain *chain,
                     int exit_code)
{
    json_t *root;
    json_t *tx = report_transcript_json(engine_transcript(out->engine));
    char host[SMTP_SANITIZE_SIZE(sizeof(p->host))];
    int bad = 0;

    if (tx == NULL)
        return -1;
    smtp_sanitize_str(p->host, host, sizeof(host));
    root = json_pack("{s:s, s:s, s:s, s:i, s:s, s:b, s:I, s:o}", "server", host, "port", p->port,
                     "result",
                     exit_code == 0                   ? "ok"
                     : out->err.cls == SMTP_ERR_REPLY ? "refused"
                                                      : "error",
                     "exit_code", exit_code, "stage", engine_send_stage_name(out->stage), "tls",
                     engine_tls(out->engine), "elapsed_ms", (json_int_t)engine_elapsed(out->engine),
                     "transcript", tx);
    if (root && chain)
        bad |= json_object_set_new(root, "certificates", report_cert_json(chain));
    if (root && exit_code != 0)
        bad |= json_object_set_new(root, "error", error_json(&out->err));
    return dump(fp, root, bad);
}

/* seconds - the repeat's time, never 0 (it divides) */

static double seconds(const struct engine_send_repeat_result *res)
{
    return res->elapsed_ms > 0 ? (double)res->elapsed_ms / 1000.0 : 0.001;
}

/* report_send_repeat_json - see report_send.h */

int report_send_repeat_json(FILE *fp, const struct engine_send_params *p,
                            const struct engine_send_repeat_result *res, int first_exit)
{
    double secs = seconds(res);
    json_t *root =
        json_pack("{s:I, s:I, s:I, s:f, s:f}", "dialogues", (json_int_t)p->repeat, "failed",
                  (json_int_t)res->failed, "concurrency", (json_int_t)res->threads, "seconds", secs,
                  "per_second", (double)p->repeat / secs);
    int bad = 0;

    if (root && res->have_failure) {
        char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

        smtp_sanitize_str(res->first.err.msg, msg, sizeof(msg));
        bad |=
            json_object_set_new(
                root, "first_failure",
                json_pack("{s:s, s:i, s:s, s:s}", "stage", engine_send_stage_name(res->first.stage),
                          "exit_code", first_exit, "class",
                          smtp_error_class_name(res->first.err.cls), "message", msg)) < 0;
    }
    return dump(fp, root, bad);
}

/* report_send_repeat_text - see report_send.h */

void report_send_repeat_text(FILE *fp, const struct engine_send_params *p,
                             const struct engine_send_repeat_result *res, int silent)
{
    double secs = seconds(res);

    if (res->have_failure && !silent && res->first_transcript)
        fputs(res->first_transcript, fp);
    fprintf(fp,
            "relaylab send: %ld dialogues, %d at once, in %.3f s: %.1f dialogues/s, %ld failed\n",
            p->repeat, res->threads, secs, (double)p->repeat / secs, res->failed);
}

/* report_send_failure - see report_send.h */

void report_send_failure(FILE *fp, const char *prefix, const struct engine_send_outcome *out,
                         int exit_code)
{
    char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];
    const char *name = engine_send_stage_name(out->stage);
    size_t n = strlen(name);

    smtp_sanitize_str(out->err.msg, msg, sizeof(msg));
    /* "connect: connect: ..." says it twice: name the stage once. */
    if (prefix == NULL && strncmp(msg, name, n) == 0 && (msg[n] == ' ' || msg[n] == ':'))
        fprintf(fp, "relaylab send: %s", msg);
    else
        fprintf(fp, "relaylab send: %s%s: %s", prefix ? prefix : "", name, msg);
    if (out->err.reply[0]) /* sanitized by smtp_error_set_reply */
        fprintf(fp, ": %s", out->err.reply);
    fprintf(fp, " (exit %d)\n", exit_code);
}
