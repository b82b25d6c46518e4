/*++
 * NAME
 *	report_results 3
 * SUMMARY
 *	a run's results: console matrix, results.json, junit.xml, TAP, HTML
 * DESCRIPTION
 *	See report_results.h. Text arrives sanitized (run_cell_sanitize);
 *	check_cells() refuses a cell whose text is not, rather than write a
 *	file a reader cannot parse. JSON goes through jansson, every call's
 *	result checked; XML and HTML text through one escaping function;
 *	TAP's YAML values are single-quoted scalars, which hold any text
 *	without line breaks or controls.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "mta_render.h"
#include "report_results.h"
#include "rmtree.h"
#include "newfile.h"
#include "smtp_sanitize.h"
#include "template.h"

/*
 * cell_label - what a person reads in a cell. A variant that demonstrates
 * an open relay on purpose ("expect open-relay") held its expectations,
 * but it is shown as the security failure it demonstrates, never as "pass".
 */
static const char *cell_label(const struct run_cell *c)
{
    if (c->status == RUN_PASS && c->open_relay_found)
        return "OPEN RELAY*";
    return run_status_name(c->status);
}

static const char *cell_class(const struct run_cell *c)
{
    if (c->status == RUN_PASS && c->open_relay_found)
        return "open";
    return c->status == RUN_PASS             ? "pass"
           : c->status == RUN_FAIL           ? "fail"
           : c->status == RUN_OPEN_RELAY     ? "open"
           : c->status == RUN_NOT_APPLICABLE ? "na"
                                             : "error";
}

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

static const char *variant_name(const struct run_cell *c)
{
    return c->scenario->nvariants ? c->scenario->variants[c->variant].name : "default";
}

void report_cell_dir(const struct run_cell *cell, char *buf, size_t size)
{
    if (cell->repeat > 0)
        snprintf(buf, size, "%s.%s.%s.r%d", cell->scenario->id, variant_name(cell),
                 mta_kind_name(cell->mta), cell->repeat + 1);
    else
        snprintf(buf, size, "%s.%s.%s", cell->scenario->id, variant_name(cell),
                 mta_kind_name(cell->mta));
}

/* report_xml - see report_results.h (escaped text for XML and HTML) */

void report_xml(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '&')
            fputs("&amp;", fp);
        else if (c == '<')
            fputs("&lt;", fp);
        else if (c == '>')
            fputs("&gt;", fp);
        else if (c == '"')
            fputs("&quot;", fp);
        else if (c == '\'')
            fputs("&#39;", fp);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fputc('?', fp); /* XML 1.0 has no place for it, even escaped */
        else
            fputc(c, fp);
    }
}

/* io_fail - a file that could not be written whole */

static int io_fail(struct smtp_error *err, const char *path)
{
    int e = errno;

    return smtp_error_set(err, SMTP_ERR_INTERNAL, e, "cannot write %s: %s", path,
                          e ? strerror(e) : "write error");
}

/* open_out - dir/name for writing */

static FILE *open_out(const char *dir, const char *name, char *path, size_t size,
                      struct smtp_error *err)
{
    FILE *fp;

    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "path too long: %s/%s", dir, name);
        return NULL;
    }
    if ((fp = newfile_open(path, 0644)) == NULL)
        io_fail(err, path);
    return fp;
}

/* close_out - fclose, failing when any write before it failed */

static int close_out(FILE *fp, const char *path, struct smtp_error *err)
{
    int bad = ferror(fp);
    int why = errno; /* after a failed write, its errno: stdio drops the rest of the buffer */

    if (fflush(fp) != 0) {
        bad = 1;
        why = errno;
    }
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        why = errno;
    }
    if (!bad)
        return 0;
    errno = why;
    return io_fail(err, path);
}

static int write_text(const char *dir, const char *name, const char *text, struct smtp_error *err)
{
    char path[1024];
    FILE *fp;

    if ((fp = open_out(dir, name, path, sizeof(path), err)) == NULL)
        return -1;
    if (text)
        fputs(text, fp);
    return close_out(fp, path, err);
}

static int clean_lines(const char *text);

/*
 * checked_text - one of a cell's texts, malloc'd, for writing as it is:
 * it must be clean (run_cell_sanitize(), the transcript sanitized as
 * written), and it is checked here, on the very bytes that are written.
 * A text that cannot be read back is replaced by a note saying so: one
 * cell's evidence lost never loses the run's results. NULL with err when
 * unclean or out of memory.
 */
static char *checked_text(const struct run_cell *c, enum run_text which, struct smtp_error *err)
{
    static const char *const names[] = {"the transcript", "the MTA's log", "the MTA's config",
                                        "the MTA's master.cf"};
    struct smtp_error read_err;
    char *text = run_cell_text(c, which, &read_err);
    char name[300], clean[SMTP_SANITIZE_SIZE(300)];

    if (text == NULL) {
        char why[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

        smtp_sanitize_str(read_err.msg, why, sizeof(why));
        if (asprintf(&text, "(relaylab: %s could not be read back: %s)\n", names[which], why) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
            return NULL;
        }
    }
    if (clean_lines(text))
        return text;
    free(text);
    run_cell_name(c, name, sizeof(name));
    smtp_sanitize_str(name, clean, sizeof(clean));
    smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "cell %s: %s did not go through run_cell_sanitize",
                   clean, names[which]);
    return NULL;
}

/* write_cell_text - one of a cell's texts as a file, checked */

static int write_cell_text(const char *dir, const char *name, const struct run_cell *c,
                           enum run_text which, struct smtp_error *err)
{
    char *text = checked_text(c, which, err);
    int rc;

    if (text == NULL)
        return -1;
    rc = write_text(dir, name, text, err);
    free(text);
    return rc;
}

/* clean_lines - every line of text could have come out of smtp_sanitize */

static int clean_lines(const char *text)
{
    const char *p = text;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (!smtp_sanitize_is_clean(p, n))
            return 0;
        p = nl ? nl + 1 : NULL;
    }
    return 1;
}

/* check_cells - refuse text that did not go through run_cell_sanitize */

static int check_cells(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                       struct smtp_error *err)
{
    size_t i;

    if (!clean_lines(meta->run_id) || !clean_lines(meta->started) ||
        !clean_lines(meta->relaylab_version))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "the run's metadata is not clean text");
    for (i = 0; i < n; i++) {
        const struct run_cell *c = &cells[i];
        const char *texts[] = {c->scenario->id, variant_name(c), c->title,  c->fail_file,
                               c->fail_step,    c->expected,     c->actual, c->message};
        const char *what = NULL;
        size_t k;

        for (k = 0; k < sizeof(texts) / sizeof(texts[0]) && !what; k++)
            if (strchr(texts[k], '\n') || !clean_lines(texts[k]))
                what = "a text field";
        if (what) {
            char name[300];
            char clean[SMTP_SANITIZE_SIZE(300)];

            run_cell_name(c, name, sizeof(name));
            smtp_sanitize_str(name, clean, sizeof(clean));
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                                  "cell %s: %s did not go through run_cell_sanitize", clean, what);
        }
    }
    return 0;
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

/* cell_json - one cell (RESULTS-SCHEMA.md); NULL with err when any part fails */

static json_t *cell_json(const struct run_cell *c, struct smtp_error *err)
{
    char dir[300], t[400];
    json_error_t jerr;
    json_t *o;
    int bad = 0;

    report_cell_dir(c, dir, sizeof(dir));
    o = json_pack_ex(&jerr, 0, "{s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:I, s:I, s:I, s:I}",
                     "scenario", c->scenario->id, "title", c->title, "variant", variant_name(c),
                     "mta", mta_kind_name(c->mta), "cause", c->scenario->cause, "status",
                     json_status(c), "open_relay_demonstrated", c->open_relay_found, "checks",
                     (json_int_t)c->checks, "failed", (json_int_t)c->failed, "ms",
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

static int write_json(const char *dir, const struct run_cell *cells, size_t n,
                      const struct report_meta *meta, struct smtp_error *err)
{
    char path[1024];
    json_error_t jerr;
    json_t *root = json_object();
    json_t *arr = json_array();
    json_t *summary;
    size_t i, pass = 0, fail = 0, open = 0, err_cells = 0, found = 0, na = 0;
    int bad = 0;
    FILE *fp;

    if (root == NULL || arr == NULL) {
        json_decref(root);
        json_decref(arr);
        return json_fail(err, NULL, "out of memory");
    }
    for (i = 0; i < n; i++) {
        json_t *cell = cell_json(&cells[i], err);

        /* Every cell is in the file, or there is no file. */
        if (cell == NULL || json_array_append_new(arr, cell) < 0) {
            json_decref(root);
            json_decref(arr);
            return cell ? json_fail(err, &cells[i], "out of memory") : -1;
        }
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
    bad |= json_object_set_new(root, "cells", arr);
    if (bad) {
        json_decref(root);
        return json_fail(err, NULL, "the run's values could not be built");
    }
    if ((fp = open_out(dir, "results.json", path, sizeof(path), err)) == NULL) {
        json_decref(root);
        return -1;
    }
    errno = 0;
    if (json_dumpf(root, fp, JSON_INDENT(2)) < 0) {
        int e = errno;

        json_decref(root);
        fclose(fp);
        errno = e;
        return io_fail(err, path);
    }
    json_decref(root);
    return close_out(fp, path, err);
}

static int write_junit(const char *dir, const struct run_cell *cells, size_t n,
                       const struct report_meta *meta, struct smtp_error *err)
{
    char path[1024];
    char *tx;
    FILE *fp;
    size_t i, fails = 0, errors = 0;
    int k;

    for (i = 0; i < n; i++) {
        fails += cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY;
        errors += cells[i].status == RUN_ERROR;
    }
    if ((fp = open_out(dir, "junit.xml", path, sizeof(path), err)) == NULL)
        return -1;
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(fp,
            "<testsuites name=\"relaylab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
            "time=\"%.3f\">\n",
            n, fails, errors, meta->wall_ms / 1000.0);
    for (k = 0; k < MTA_KINDS; k++) {
        enum mta_kind kind = (enum mta_kind)k;
        size_t t = 0, f = 0, e = 0, sk = 0;
        long ms = 0;

        for (i = 0; i < n; i++) {
            if (cells[i].mta != kind)
                continue;
            t++;
            ms += cells[i].ms;
            f += cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY;
            e += cells[i].status == RUN_ERROR;
            sk += cells[i].status == RUN_NOT_APPLICABLE;
        }
        if (t == 0)
            continue;
        fprintf(fp,
                "  <testsuite name=\"relaylab.%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                "skipped=\"%zu\" time=\"%.3f\" timestamp=\"",
                mta_kind_name(kind), t, f, e, sk, ms / 1000.0);
        report_xml(fp, meta->started);
        fprintf(fp, "\">\n");
        for (i = 0; i < n; i++) {
            const struct run_cell *c = &cells[i];
            char name[200];

            if (c->mta != kind)
                continue;
            if (c->repeat)
                snprintf(name, sizeof(name), "%s#%d", variant_name(c), c->repeat + 1);
            else
                snprintf(name, sizeof(name), "%s", variant_name(c));
            fprintf(fp, "    <testcase classname=\"relaylab.%s.", mta_kind_name(c->mta));
            report_xml(fp, c->scenario->id);
            fprintf(fp, "\" name=\"");
            report_xml(fp, name);
            fprintf(fp, "\" time=\"%.3f\">\n", c->ms / 1000.0);
            if (c->status == RUN_FAIL || c->status == RUN_OPEN_RELAY) {
                fprintf(fp, "      <failure type=\"%s\" message=\"",
                        c->status == RUN_OPEN_RELAY ? "open-relay" : "expectation");
                report_xml(fp, c->message);
                fprintf(fp, "\">step: ");
                report_xml(fp, c->fail_step);
                fprintf(fp, "\nexpected: ");
                report_xml(fp, c->expected);
                fprintf(fp, "\nactual: ");
                report_xml(fp, c->actual);
                fprintf(fp, "</failure>\n");
            } else if (c->status == RUN_ERROR) {
                fprintf(fp, "      <error type=\"environment\" message=\"");
                report_xml(fp, c->message);
                fprintf(fp, "\"/>\n");
            } else if (c->status == RUN_NOT_APPLICABLE) {
                fprintf(fp, "      <skipped message=\"");
                report_xml(fp, c->message);
                fprintf(fp, "\"/>\n");
            }
            if ((tx = checked_text(c, RUN_TEXT_TRANSCRIPT, err)) == NULL) {
                fclose(fp);
                return -1;
            }
            fprintf(fp, "      <system-out>");
            report_xml(fp, tx);
            fprintf(fp, "</system-out>\n    </testcase>\n");
            free(tx);
        }
        fprintf(fp, "  </testsuite>\n");
    }
    fprintf(fp, "</testsuites>\n");
    return close_out(fp, path, err);
}

/* yaml - a single-quoted YAML scalar: any clean text, a quote doubled */

static void yaml(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; s && *s; s++) {
        if (*s == '\'')
            fputc('\'', fp);
        fputc(*s, fp);
    }
    fputc('\'', fp);
}

/* yaml_field - "key: 'value'" in a TAP 13 YAML block, indented */

static void yaml_field(FILE *fp, int indent, const char *key, const char *value)
{
    fprintf(fp, "%*s%s: ", indent, "", key);
    yaml(fp, value);
    fputc('\n', fp);
}

static int write_tap(const char *dir, const struct run_cell *cells, size_t n,
                     struct smtp_error *err)
{
    char path[1024];
    FILE *fp;
    size_t i;

    if ((fp = open_out(dir, "results.tap", path, sizeof(path), err)) == NULL)
        return -1;
    fprintf(fp, "TAP version 13\n1..%zu\n", n);
    for (i = 0; i < n; i++) {
        const struct run_cell *c = &cells[i];
        char name[300];

        /* Ids and variant names are [a-z0-9-]: no '#' to start a directive. */
        run_cell_name(c, name, sizeof(name));
        if (c->status == RUN_NOT_APPLICABLE) {
            /* TAP's SKIP: the directive's text must not hold a '#' or a line end. */
            char reason[sizeof(c->message)];
            size_t k;

            snprintf(reason, sizeof(reason), "%s", c->message);
            for (k = 0; reason[k]; k++)
                if (reason[k] == '#' || reason[k] == '\n' || reason[k] == '\r')
                    reason[k] = ' ';
            fprintf(fp, "ok %zu - %s # SKIP %s\n", i + 1, name, reason);
            continue;
        }
        fprintf(fp, "%s %zu - %s%s\n", c->status == RUN_PASS ? "ok" : "not ok", i + 1, name,
                c->open_relay_found ? " # open relay demonstrated (expected)" : "");
        if (c->status == RUN_PASS)
            continue;
        fprintf(fp, "  ---\n");
        yaml_field(fp, 2, "status", run_status_name(c->status));
        yaml_field(fp, 2, "message", c->message);
        if (c->failed > 0) {
            fprintf(fp, "  at:\n");
            yaml_field(fp, 4, "file", c->fail_file);
            fprintf(fp, "    line: %d\n    col: %d\n", c->fail_pos.line, c->fail_pos.col);
            yaml_field(fp, 2, "step", c->fail_step);
            yaml_field(fp, 2, "expected", c->expected);
            yaml_field(fp, 2, "actual", c->actual);
        }
        fprintf(fp, "  ...\n");
    }
    return close_out(fp, path, err);
}

/*
 * row_end - cells [i, end) are one row of the matrix: one scenario,
 * variant and repetition, a cell per MTA. run_plan_cells() lays out a
 * row's cells side by side (MTA innermost), and a shard or filter keeps
 * their order, so a row is a run of neighbours.
 */
static size_t row_end(const struct run_cell *cells, size_t n, size_t i)
{
    size_t end = i + 1;

    while (end < n && cells[end].scenario == cells[i].scenario &&
           cells[end].variant == cells[i].variant && cells[end].repeat == cells[i].repeat)
        end++;
    return end;
}

/* row_cell - the row's cell for MTA k, or NULL */

static const struct run_cell *row_cell(const struct run_cell *cells, size_t i, size_t end, int k)
{
    for (; i < end; i++)
        if ((int)cells[i].mta == k)
            return &cells[i];
    return NULL;
}

/* html_columns - a heading per MTA */

static void html_columns(FILE *fp)
{
    for (int k = 0; k < MTA_KINDS; k++) {
        fprintf(fp, "<th>");
        report_xml(fp, mta_kind_name((enum mta_kind)k));
        fprintf(fp, "</th>");
    }
}

/* html_matrix - a row per scenario x variant x repeat, a cell per MTA */

static void html_matrix(FILE *fp, const struct run_cell *cells, size_t n)
{
    size_t i, end;

    for (i = 0; i < n; i = end) {
        const struct run_cell *c = &cells[i];

        end = row_end(cells, n, i);
        fprintf(fp, "<tr><td title=\"");
        report_xml(fp, c->title);
        fprintf(fp, "\">");
        report_xml(fp, c->scenario->id);
        fprintf(fp, "</td><td>%d</td><td>", c->scenario->cause);
        report_xml(fp, variant_name(c));
        if (c->repeat)
            fprintf(fp, " #%d", c->repeat + 1);
        fprintf(fp, "</td>");
        for (int k = 0; k < MTA_KINDS; k++) {
            const struct run_cell *m = row_cell(cells, i, end, k);
            char d[300];

            if (m == NULL) {
                fprintf(fp, "<td class=\"na\">n/a</td>");
                continue;
            }
            report_cell_dir(m, d, sizeof(d));
            fprintf(fp, "<td class=\"%s\"><a href=\"cells/", cell_class(m));
            report_xml(fp, d);
            fprintf(fp, "/transcript.txt\">%s</a></td>", cell_label(m));
        }
        fprintf(fp, "</tr>\n");
    }
}

/* html_failures - an item per cell that did not pass */

static void html_failures(FILE *fp, const struct run_cell *cells, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char name[300];

        if (cells[i].status == RUN_PASS)
            continue;
        fprintf(fp, "<li>");
        report_xml(fp, run_status_name(cells[i].status));
        fprintf(fp, " ");
        run_cell_name(&cells[i], name, sizeof(name));
        report_xml(fp, name);
        fprintf(fp, ": ");
        report_xml(fp, cells[i].message);
        fprintf(fp, "</li>\n");
    }
}

/*
 * render_html - report.html, from the templates report.html and
 * report.css (inlined: the page is one file), malloc'd; NULL with err.
 * Every text in it went through report_xml().
 */
static char *render_html(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                         struct smtp_error *err)
{
    enum {
        PART_RUN_ID,
        PART_CELLS,
        PART_WALL_S,
        PART_MTA_COLUMNS,
        PART_MATRIX,
        PART_FAILURES,
        NPARTS
    };
    static const char *const names[NPARTS] = {"RUN_ID",      "CELLS",  "WALL_S",
                                              "MTA_COLUMNS", "MATRIX", "FAILURES"};
    struct {
        char *text;
        size_t len;
        FILE *fp;
    } part[NPARTS] = {{0}};
    struct mta_vars vars = {0};
    char dir[1024], path[1100];
    char *css = NULL, *page = NULL;
    int k, bad = 0;

    if (meta->template_dir) {
        snprintf(dir, sizeof(dir), "%s", meta->template_dir);
    } else {
        char why[SMTP_ERROR_MSG_MAX];

        if (template_dir("report", dir, sizeof(dir), why, sizeof(why)) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT, "%s", why);
            return NULL;
        }
    }
    snprintf(path, sizeof(path), "%s/report.css", dir);
    if ((css = mta_render_read(path, MTA_RENDER_TEMPLATE, err)) == NULL)
        return NULL;
    /* Inlined raw: the stylesheet must not end its own style element. */
    if (strcasestr(css, "</style") != NULL) {
        free(css);
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "template %s: holds \"</style\"", path);
        return NULL;
    }
    for (k = 0; k < NPARTS; k++)
        bad |= (part[k].fp = open_memstream(&part[k].text, &part[k].len)) == NULL;
    if (!bad) {
        report_xml(part[PART_RUN_ID].fp, meta->run_id);
        fprintf(part[PART_CELLS].fp, "%zu", n);
        fprintf(part[PART_WALL_S].fp, "%.1f", meta->wall_ms / 1000.0);
        html_columns(part[PART_MTA_COLUMNS].fp);
        html_matrix(part[PART_MATRIX].fp, cells, n);
        html_failures(part[PART_FAILURES].fp, cells, n);
    }
    for (k = 0; k < NPARTS; k++) {
        int failed = part[k].fp == NULL || ferror(part[k].fp);

        if ((part[k].fp && fclose(part[k].fp) != 0) || failed)
            bad = 1;
    }
    if (bad) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
    } else {
        for (k = 0; k < NPARTS; k++)
            mta_vars_set(&vars, names[k], part[k].text);
        mta_vars_set(&vars, "STYLE", css);
        (void)mta_render_load(dir, "report.html", &vars, &page, err);
    }
    for (k = 0; k < NPARTS; k++)
        free(part[k].text);
    free(css);
    return page;
}

int report_write_run(const char *dir, const struct run_cell *cells, size_t n,
                     const struct report_meta *meta, struct smtp_error *err)
{
    char path[1024];
    char *html;
    size_t i;

    if (check_cells(cells, n, meta, err) < 0)
        return -1;
    /* The page first: without its templates, nothing is written. */
    if ((html = render_html(cells, n, meta, err)) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/cells", dir);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", path, strerror(errno));
        goto fail;
    }
    for (i = 0; i < n; i++) {
        char name[300];

        report_cell_dir(&cells[i], name, sizeof(name));
        snprintf(path, sizeof(path), "%s/cells/%s", dir, name);
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", path,
                           strerror(errno));
            goto fail;
        }
        if (write_cell_text(path, "transcript.txt", &cells[i], RUN_TEXT_TRANSCRIPT, err) < 0 ||
            write_cell_text(path, "mta.log", &cells[i], RUN_TEXT_MTA_LOG, err) < 0 ||
            write_cell_text(path, mta_kind_config_name(cells[i].mta), &cells[i],
                            RUN_TEXT_MTA_CONFIG, err) < 0 ||
            (cells[i].mta == MTA_POSTFIX &&
             write_cell_text(path, "master.cf", &cells[i], RUN_TEXT_MTA_MASTER, err) < 0))
            goto fail;
    }
    if (write_json(dir, cells, n, meta, err) < 0 || write_junit(dir, cells, n, meta, err) < 0 ||
        write_tap(dir, cells, n, err) < 0 || write_text(dir, "report.html", html, err) < 0)
        goto fail;
    free(html);
    return 0;
fail:
    free(html);
    return -1;
}

int report_results_dir(const char *results_dir, struct smtp_error *err)
{
    struct stat st;

    if (mkdir(results_dir, 0755) < 0 && errno != EEXIST)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", results_dir,
                              strerror(errno));
    /* A checkout may hold "results" as a link to anywhere: relaylab writes as root. */
    if (lstat(results_dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOTDIR,
                              "%s is not a directory (a symbolic link is not followed)",
                              results_dir);
    return 0;
}

/* report_publish_run - write into results_dir/.tmp.RUN_ID, rename to results_dir/RUN_ID */

int report_publish_run(const char *results_dir, const struct run_cell *cells, size_t n,
                       const struct report_meta *meta, char *final, size_t size,
                       struct smtp_error *err)
{
    char stage[1100];

    if (report_results_dir(results_dir, err) < 0)
        return -1;
    if ((size_t)snprintf(final, size, "%s/%s", results_dir, meta->run_id) >= size ||
        (size_t)snprintf(stage, sizeof(stage), "%s/.tmp.%s", results_dir, meta->run_id) >=
            sizeof(stage))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "path too long: %s/%s",
                              results_dir, meta->run_id);
    if (mkdir(stage, 0755) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", stage,
                              strerror(errno));
    /* Whole or nothing: a run that cannot be written leaves no half of it behind. */
    if (report_write_run(stage, cells, n, meta, err) < 0 ||
        (rename(stage, final) < 0 &&
         smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot rename %s: %s", stage,
                        strerror(errno)) < 0)) {
        rmtree(stage);
        return -1;
    }
    return 0;
}

void report_console(FILE *fp, const struct run_cell *cells, size_t n, int colour)
{
    const char *green = colour ? "\033[32m" : "", *red = colour ? "\033[1;31m" : "",
               *yellow = colour ? "\033[33m" : "", *off = colour ? "\033[0m" : "";
    size_t i, end, pass = 0, na = 0;

    fprintf(fp, "\n%-34s %-16s", "scenario", "variant");
    for (int k = 0; k < MTA_KINDS; k++)
        fprintf(fp, " %-12s", mta_kind_name((enum mta_kind)k));
    fprintf(fp, "\n");
    for (i = 0; i < n; i = end) {
        const struct run_cell *c = &cells[i];

        end = row_end(cells, n, i);
        fprintf(fp, "%-34.34s %-16.16s", c->scenario->id, variant_name(c));
        for (int k = 0; k < MTA_KINDS; k++) {
            const struct run_cell *m = row_cell(cells, i, end, k);
            const char *col;

            if (m == NULL) {
                fprintf(fp, " %-12s", "-");
                continue;
            }
            col = m->status == RUN_ERROR || m->status == RUN_NOT_APPLICABLE ? yellow
                  : m->status == RUN_PASS && !m->open_relay_found           ? green
                                                                            : red;
            fprintf(fp, " %s%-12s%s", col, cell_label(m), off);
        }
        fprintf(fp, "\n");
    }
    for (i = 0; i < n; i++) {
        char name[300];

        pass += cells[i].status == RUN_PASS;
        na += cells[i].status == RUN_NOT_APPLICABLE;
        if (cells[i].status == RUN_PASS)
            continue;
        run_cell_name(&cells[i], name, sizeof(name));
        fprintf(fp, "%s%s%s %s: %s\n", cells[i].status == RUN_NOT_APPLICABLE ? yellow : red,
                run_status_name(cells[i].status), off, name, cells[i].message);
    }
    for (i = 0; i < n; i++)
        if (cells[i].open_relay_found) {
            fprintf(fp,
                    "%s*%s OPEN RELAY demonstrated where the scenario sets one up on purpose "
                    "(security finding; its expectations held)\n",
                    red, off);
            break;
        }
    if (na)
        fprintf(fp, "%zu of %zu cells held their expectations, %zu not applicable to this config\n",
                pass, n - na, na);
    else
        fprintf(fp, "%zu of %zu cells held their expectations\n", pass, n);
}
