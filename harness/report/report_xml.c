/*++
 * NAME
 *	report_xml 3
 * SUMMARY
 *	text escaped for XML and HTML
 * DESCRIPTION
 *	See report_xml.h.
 *--*/
#include <stdio.h>
#include <string.h>

#include "report_xml.h"

/* report_xml_n - n bytes escaped */

void report_xml_n(FILE *fp, const char *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        unsigned char c = (unsigned char)s[i];

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

/* report_xml - a string escaped */

void report_xml(FILE *fp, const char *s)
{
    report_xml_n(fp, s, s ? strlen(s) : 0);
}
