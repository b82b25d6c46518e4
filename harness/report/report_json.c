/*++
 * NAME
 *	report_json 3
 * SUMMARY
 *	a run's results.json
 * DESCRIPTION
 *	See report_json.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_cell.h"
#include "report_file.h"
#include "report_json.h"

/* json_status - results.json's status (RESULTS-SCHEMA.md) */
static const char *json_status(const struct run_cell *c)
{
    if (c->status == RUN_PASS)
        return c->open_relay_found ? "open-relay-demonstrated" : "pass";
    return c->status == RUN_FAIL             ? "fail"
           : c->status == RUN_OPEN_RELAY     ? "open-relay"
           : c->status == RUN_NOT_APPLICABLE ? "not-applicable"
                                             : "error";
}

/* json_fail - a JSON value that could not be built: say which and why */

static int json_fail(struct smtp_error *err, const struct run_cell *c, const char *why)
{
    char name[300];

    if (c == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "results.json: %s", why);
    run_cell_name(c, name, sizeof(name));
    return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "results.json: cell %s: %s", name, why);
}

/* log_json - the deciding step's log lines as an array of strings; NULL with err */

static json_t *log_json(const struct run_cell *c, struct smtp_error *err)
{
    char *text = report_cell_text(c, RUN_TEXT_STEP_LOG, err), *p;
    json_t *arr = json_array();
    int bad = arr == NULL;

    for (p = text; !bad && p && *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        bad |= json_array_append_new(arr, json_stringn(p, n)) < 0;
        p += n + (nl != NULL);
    }
    free(text);
    if (text == NULL || bad) {
        json_decref(arr);
        if (text)
            json_fail(err, c, "the deciding step's log lines could not be built");
        return NULL;
    }
    return arr;
}

/* deciding_json - the deciding step, its expectations, reply and log lines; NULL with err */

static json_t *deciding_json(const struct run_cell *c, struct smtp_error *err)
{
    json_error_t jerr;
    json_t *log = log_json(c, err), *d;
    char file[RUN_TEXT_MAX];

    if (log == NULL)
        return NULL;
    report_cell_scenario_text(c, REPORT_CELL_DECIDE_FILE, file, sizeof(file));
    d = json_pack_ex(&jerr, 0, "{s:s, s:i, s:i, s:s, s:s, s:s, s:o}", "file", file, "line",
                     c->decide_pos.line, "col", c->decide_pos.col, "step", c->decide_step,
                     "expected", c->decide_expected, "actual", c->decide_reply, "log", log);
    if (d == NULL)
        json_fail(err, c, jerr.text);
    return d;
}

/* cell_json - one cell (RESULTS-SCHEMA.md); NULL with err when any part fails */

static json_t *cell_json(const struct run_cell *c, struct smtp_error *err)
{
    char dir[300], t[400], advice[RUN_TEXT_MAX];
    json_error_t jerr;
    json_t *o;
    int bad = 0;

    report_cell_dir(c, dir, sizeof(dir));
    o = json_pack_ex(
        &jerr, 0, "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:I, s:I, s:I, s:I}", "scenario",
        c->scenario->id, "title", c->title, "variant", report_cell_variant(c), "mta",
        mta_kind_name(c->mta), "mta_column", run_cell_mta(c), "mta_version", run_cell_mta_title(c),
        "cause", c->scenario->cause, "status", json_status(c), "open_relay_demonstrated",
        c->open_relay_found, "checks", (json_int_t)c->checks, "failed", (json_int_t)c->failed, "ms",
        (json_int_t)c->ms, "mta_start_ms", (json_int_t)c->mta_start_ms);
    if (o == NULL) {
        json_fail(err, c, jerr.text);
        return NULL;
    }
    snprintf(t, sizeof(t), "cells/%s/transcript.txt", dir);
    bad |= json_object_set_new(o, "transcript", json_string(t));
    if (c->repeat > 0)
        bad |= json_object_set_new(o, "repeat", json_integer(c->repeat + 1));
    bad |= json_object_set_new(o, "dialogue_ms", json_integer(c->dialogue_ms));
    bad |= json_object_set_new(o, "relay_wait_ms", json_integer(c->relay_wait_ms));
    if (c->swaks_ms >= 0) {
        bad |= json_object_set_new(o, "swaks_ms", json_integer(c->swaks_ms));
        bad |= json_object_set_new(o, "swaks_dialogues", json_integer(c->swaks_dialogues));
    }
    if (c->failed > 0) {
        json_t *f = json_pack_ex(&jerr, 0, "{s:s, s:i, s:i, s:s, s:s, s:s}", "file", c->fail_file,
                                 "line", c->fail_pos.line, "col", c->fail_pos.col, "step",
                                 c->fail_step, "expected", c->expected, "actual", c->actual);

        if (f == NULL) {
            json_decref(o);
            json_fail(err, c, jerr.text);
            return NULL;
        }
        bad |= json_object_set_new(o, "failure", f);
    }
    if (c->decide_step[0]) {
        json_t *d = deciding_json(c, err);

        if (d == NULL) {
            json_decref(o);
            return NULL;
        }
        bad |= json_object_set_new(o, "deciding_step", d);
    }
    if (report_cell_scenario_text(c, REPORT_CELL_ADVICE, advice, sizeof(advice))[0])
        bad |= json_object_set_new(o, "advice", json_string(advice));
    if (c->status == RUN_ERROR)
        bad |= json_object_set_new(o, "error", json_string(c->message));
    if (c->status == RUN_NOT_APPLICABLE)
        bad |= json_object_set_new(o, "not_applicable", json_string(c->message));
    if (bad) {
        json_decref(o);
        json_fail(err, c, "a value could not be built (out of memory, or text not UTF-8)");
        return NULL;
    }
    return o;
}

/* head_json - the run's fields and summary (every field but the cells); NULL with err */

static json_t *head_json(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                         struct smtp_error *err)
{
    json_error_t jerr;
    json_t *root = json_object(), *summary;
    size_t i, pass = 0, fail = 0, open = 0, err_cells = 0, found = 0, na = 0;
    int bad = root == NULL;

    for (i = 0; i < n; i++) {
        pass += cells[i].status == RUN_PASS;
        fail += cells[i].status == RUN_FAIL;
        open += cells[i].status == RUN_OPEN_RELAY;
        err_cells += cells[i].status == RUN_ERROR;
        na += cells[i].status == RUN_NOT_APPLICABLE;
        found += cells[i].open_relay_found;
    }
    summary =
        json_pack_ex(&jerr, 0, "{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "cells", (json_int_t)n,
                     "held", (json_int_t)pass, "fail", (json_int_t)fail, "open_relay",
                     (json_int_t)open, "error", (json_int_t)err_cells, "open_relay_demonstrated",
                     (json_int_t)found, "not_applicable", (json_int_t)na);
    bad |= json_object_set_new(root, "schema", json_string("relaylab-results/1"));
    bad |= json_object_set_new(root, "run_id", json_string(meta->run_id));
    bad |= json_object_set_new(root, "started", json_string(meta->started));
    bad |= json_object_set_new(root, "wall_ms", json_integer(meta->wall_ms));
    bad |= json_object_set_new(root, "relaylab", json_string(meta->relaylab_version));
    bad |= json_object_set_new(root, "summary", summary);
    if (bad) {
        json_decref(root);
        json_fail(err, NULL, "the run's values could not be built");
        return NULL;
    }
    return root;
}

/*
 * report_json_write - the run's fields, then the cells one at a time,
 * each built, written and freed: memory stays flat in the number of
 * cells (a cell's log lines make its object large). Every cell is in the
 * file, or the write fails (and the run is not put in place).
 */
int report_json_write(const char *dir, const struct run_cell *cells, size_t n,
                      const struct report_meta *meta, struct smtp_error *err)
{
    char path[1024];
    json_t *root = head_json(cells, n, meta, err);
    char *head;
    size_t i, len;
    FILE *fp;

    if (root == NULL)
        return -1;
    head = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    /* "{ ... }": the cells go in before its closing brace. */
    if (head == NULL || (len = strlen(head)) < 2 || head[len - 1] != '}') {
        free(head);
        return json_fail(err, NULL, "out of memory");
    }
    if ((fp = report_file_open(dir, "results.json", path, sizeof(path), err)) == NULL) {
        free(head);
        return -1;
    }
    fprintf(fp, "%.*s,\n  \"cells\": [", (int)(len - 2), head);
    free(head);
    for (i = 0; i < n; i++) {
        json_t *cell = cell_json(&cells[i], err);
        char *text = cell ? json_dumps(cell, JSON_INDENT(2)) : NULL;

        json_decref(cell);
        if (text == NULL) {
            fclose(fp);
            return cell ? json_fail(err, &cells[i], "out of memory") : -1;
        }
        /* Indented as an element of "cells" (a JSON string holds no raw line end). */
        fputs(i ? ",\n    " : "\n    ", fp);
        for (const char *p = text, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
            nl = strchr(p, '\n');
            fwrite(p, 1, nl ? (size_t)(nl - p) : strlen(p), fp);
            if (nl)
                fputs("\n    ", fp);
        }
        free(text);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", fp);
    return report_file_close(fp, path, err);
}
