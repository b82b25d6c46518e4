/*++
 * NAME
 *	mta_postfixconf 3
 * SUMMARY
 *	a Postfix config's text: the parameters the sandbox owns, master.cf
 *	overrides of them, mynetworks left unset
 * DESCRIPTION
 *	See mta_postfixconf.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta_postfixconf.h"
#include "mta_render.h"

/*
 * The parameters the sandbox owns, and why: a scenario or a --set that
 * names one is refused (refused_setting), and a user's main.cf gets
 * the sandbox's value after everything else (force_params) for those
 * that move the sandbox; a user's own CA file or DH parameters (host
 * files, read-only to the MTA) stay as they are.
 */
static const struct {
    const char *key;
    const char *why;
} owned[] = {
    {"queue_directory", "a path of the sandbox"},
    {"data_directory", "a path of the sandbox"},
    {"command_directory", "where Postfix's programs are"},
    {"daemon_directory", "where Postfix's daemons are: whatever is there runs as root"},
    {"shlib_directory", "where Postfix's libraries are"},
    {"meta_directory", "where Postfix's own files are"},
    {"config_directory", "the sandbox's config directory"},
    {"process_id_directory", "a path of the sandbox"},
    {"mail_owner", "an owner the sandbox's queue is made for"},
    {"setgid_group", "an owner the sandbox's queue is made for"},
    {"inet_interfaces", "the sandbox's listeners"},
    {"inet_protocols", "the sandbox's listeners"},
    {"relayhost", "the next hop is the capture sink"},
    {"relay_transport", "the next hop is the capture sink"},
    {"default_transport", "the next hop is the capture sink"},
    {"local_transport", "the next hop is the capture sink"},
    {"virtual_transport", "the next hop is the capture sink"},
    {"smtp_tls_security_level", "the next hop is the capture sink"},
    {"maillog_file", "the sandbox's log"},
    {"maillog_file_prefixes", "the sandbox's log"},
    {"smtpd_tls_cert_file", "the sandbox's certificates"},
    {"smtpd_tls_key_file", "the sandbox's certificates"},
    {"smtpd_tls_chain_files", "the sandbox's certificates"},
    {"smtpd_tls_eccert_file", "the sandbox's certificates"},
    {"smtpd_tls_eckey_file", "the sandbox's certificates"},
    {"smtpd_tls_dcert_file", "the sandbox's certificates"},
    {"smtpd_tls_dkey_file", "the sandbox's certificates"},
    {"smtpd_tls_CAfile", "the sandbox's certificates"},
    {"smtpd_tls_CApath", "the sandbox's certificates"},
    {"smtpd_tls_dh1024_param_file", "the sandbox's certificates"},
    {"smtpd_tls_dh512_param_file", "the sandbox's certificates"},
    {"tls_random_source", "the sandbox's certificates"},
    {"smtp_fallback_relay", "the next hop is the capture sink"},
    {"sendmail_path", "where Postfix's programs are"},
    {"newaliases_path", "where Postfix's programs are"},
    {"mailq_path", "where Postfix's programs are"},
    {"smtpd_sasl_type", "the sandbox's SASL socket"},
    {"smtpd_sasl_path", "the sandbox's SASL socket"},
    {"smtp_dns_support_level", "no DNS lookups"},
    {"smtp_host_lookup", "no DNS lookups"},
    {"disable_dns_lookups", "no DNS lookups"},
    {"smtpd_peername_lookup", "no DNS lookups"},
    /* Each can route accepted mail to a next hop other than the sink: the oracle would miss it. */
    {"transport_maps", "the next hop is the capture sink"},
    {"sender_dependent_relayhost_maps", "the next hop is the capture sink"},
    {"sender_dependent_default_transport_maps", "the next hop is the capture sink"},
};

/* mta_postfixconf_owned - the table above */

const char *mta_postfixconf_owned(const char *key)
{
    size_t i;

    for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
        if (strcmp(owned[i].key, key) == 0)
            return owned[i].why;
    return NULL;
}

/* word - [*start, *end) of the next word of text[0, len) from *pos (newlines are blanks) */

static int word(const char *line, size_t len, size_t *pos, size_t *start, size_t *end)
{
    size_t p = *pos;

    while (p < len && (line[p] == ' ' || line[p] == '\t' || line[p] == '\r' || line[p] == '\n'))
        p++;
    if (p == len)
        return 0;
    *start = p;
    if (line[p] == '{') {
        const char *close = memchr(line + p, '}', len - p);

        p = close ? (size_t)(close - line) + 1 : len;
    } else {
        while (p < len && line[p] != ' ' && line[p] != '\t' && line[p] != '\r' && line[p] != '\n')
            p++;
    }
    *end = p;
    *pos = p;
    return 1;
}

/* o_key - the parameter name of an -o value ("name=value", "{ name = value }") into key */

static void o_key(const char *v, size_t len, char *key, size_t size)
{
    size_t n = 0;

    if (len && v[0] == '{') {
        v++;
        len--;
    }
    while (len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (n < len && v[n] != '=' && v[n] != ' ' && v[n] != '\t' && v[n] != '}')
        n++;
    snprintf(key, size, "%.*s", (int)n, v);
}

/*
 * one_line - a master.cf entry (its lines) with the overrides of owned
 * parameters left out, each with the blanks before it, onto out.
 * first_arg: the words before it are the entry's fields (8 from a
 * service line, none from continuation lines after a comment). service
 * names the entry, for the note. Returns the words kept, or -1.
 */
static int one_line(const char *line, size_t len, int first_arg, const char *service,
                    struct mta_text *out, void (*note)(void *, const char *), void *ctx, int *count)
{
    size_t pos = 0, from = 0, ws, we;
    int field = 0;
    int kept = 0;

    while (word(line, len, &pos, &ws, &we)) {
        size_t j, vs = 0, ve = 0, cut_to = we;
        char key[128];
        const char *why;

        field++;
        if (field <= first_arg || we - ws < 2 || line[ws] != '-' || line[ws + 1] == '-')
            goto keep;
        /* Bundled flags: the first that takes a value ends the word. */
        for (j = ws + 1; j < we && line[j] != 'o' && line[j] != 'n' && line[j] != 't'; j++)
            ;
        if (j == we)
            goto keep;
        if (j + 1 < we) { /* the value attached: -on=v */
            vs = j + 1;
            ve = we;
        } else { /* the value is the next word (on this line) */
            size_t p2 = pos;

            if (!word(line, len, &p2, &vs, &ve))
                goto keep;
            if (line[j] != 'o') { /* -n name, -t type: not an override, keep both */
                if (mta_text_add(out, line + from, ve - from) < 0)
                    return -1;
                kept += 2;
                from = pos = ve;
                field++;
                continue;
            }
            cut_to = ve;
            pos = ve;
        }
        if (line[j] != 'o')
            goto keep;
        o_key(line + vs, ve - vs, key, sizeof(key));
        if ((why = mta_postfixconf_owned(key)) == NULL) {
            cut_to = pos = ve > we ? ve : we;
            if (mta_text_add(out, line + from, cut_to - from) < 0)
                return -1;
            kept++;
            from = cut_to;
            continue;
        }
        /* Dropped, with the blanks before it; other bundled flags stay ("-vo" -> "-v"). */
        if (j > ws + 1) {
            if (mta_text_add(out, line + from, j - from) < 0)
                return -1;
            kept++;
        }
        {
            char said[256];

            snprintf(said, sizeof(said), "master.cf: %s: -o %s dropped (the sandbox's own: %s)",
                     service, key, why);
            if (note)
                note(ctx, said);
            (*count)++;
        }
        from = cut_to;
        continue;
    keep:
        if (mta_text_add(out, line + from, we - from) < 0)
            return -1;
        kept++;
        from = we;
    }
    if (mta_text_add(out, line + from, len - from) < 0)
        return -1;
    return kept;
}

/* continuation - is the line at p one that continues an entry (white space, then text)? */

static int continuation(const char *p)
{
    size_t lead = strspn(p, " \t");

    return lead > 0 && p[lead] != 0 && p[lead] != '\n' && p[lead] != '\r' && p[lead] != '#';
}

/*
 * mta_postfixconf_master_o - entry by entry: a service line with its
 * continuation lines is one text, so "-o" at the end of a line and its
 * value on the next are one override, as Postfix reads them.
 */
char *mta_postfixconf_master_o(const char *master, void (*note)(void *ctx, const char *text),
                               void *ctx, int *count, struct smtp_error *err)
{
    struct mta_text out = {0};
    const char *line = master;
    char service[128] = "";

    *count = 0;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        size_t lead = strspn(line, " \t");
        int cont = lead > 0;
        size_t mark = out.len;
        int kept;

        if (lead == len || line[lead] == '#' || line[lead] == '\n' || (cont && !service[0])) {
            if (mta_text_add(&out, line, len) < 0)
                goto oom;
            line += len;
            continue;
        }
        if (!cont)
            snprintf(service, sizeof(service), "%.*s", (int)strcspn(line, " \t\n"), line);
        /* The entry: this line and the continuation lines after it. */
        while (line[len] && continuation(line + len)) {
            const char *n2 = strchr(line + len, '\n');

            len = n2 ? (size_t)(n2 - line) + 1 : strlen(line);
        }
        if ((kept = one_line(line, len, cont ? 0 : 8, service, &out, note, ctx, count)) < 0)
            goto oom;
        if (cont && kept == 0) { /* nothing left of them: the lines go */
            out.len = mark;
            if (out.s)
                out.s[mark] = 0;
        }
        line += len;
    }
    if (out.s == NULL && mta_text_add(&out, "", 0) < 0)
        goto oom;
    return out.s;
oom:
    free(out.s);
    smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    return NULL;
}

/* mta_postfixconf_mynetworks - what an unset mynetworks means on a real machine */

int mta_postfixconf_mynetworks(const char *main_cf, const char *addr, char *value, size_t size,
                               char *style, size_t style_size)
{
    char buf[512];

    if (mta_render_param_get(main_cf, "mynetworks", buf, sizeof(buf)) == 0)
        return 0;
    if (mta_render_param_get(main_cf, "mynetworks_style", style, style_size) < 0 || !style[0]) {
        long level = 0;

        /* postconf(5): host from compatibility_level 2 on; subnet before (and when unset). */
        if (mta_render_param_get(main_cf, "compatibility_level", buf, sizeof(buf)) == 0)
            level = strtol(buf, NULL, 10);
        snprintf(style, style_size, "%s", level >= 2 ? "host" : "subnet");
    }
    /*
     * host, subnet and class alike: the machine itself. Its loopback
     * network, and a LAN, are where relaylab's clients are, which a
     * real machine's are not: 127.0.0.1, not 127.0.0.0/8.
     */
    snprintf(value, size, "127.0.0.1/32 [::1]/128 %s/32", addr);
    return 1;
}
