/* fuzz_scenario_roundtrip - parse(format(x)) == x for every x the parser takes */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* 40 KiB each: not on the stack */
static struct scenario first, again;
static char text[4 * SCENARIO_ARENA_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario_error err;
    ssize_t n;

    scenario_init(&first);
    if (scenario_parse(&first, "fuzz.scn", (const char *)data, size, NULL, NULL, &err) < 0)
        return 0;
    /* What the parser took, the writer writes: it may refuse only what the parser never makes. */
    n = scenario_format(&first, text, sizeof(text), &err);
    if (n < 0 || (size_t)n >= sizeof(text))
        abort();
    scenario_init(&again);
    if (scenario_parse(&again, "fuzz.scn", text, (size_t)n, NULL, NULL, &err) < 0) {
        size_t raw = 0;
        size_t i;

        /*
         * The one way the text may need more room than its source: a raw
         * step is kept as "C: LINE", a byte more than "C:LINE".
         */
        for (i = 0; i < first.nsteps; i++)
            raw += first.steps[i].op == SCN_RAW;
        if (strncmp(err.msg, "scenario too large", 18) == 0 &&
            first.arena_used + raw > SCENARIO_ARENA_MAX)
            return 0;
        abort();
    }
    if (!scenario_equal(&first, &again))
        abort();
    /* The text of a parsed scenario is a fixed point. */
    if (scenario_format(&again, NULL, 0, &err) != n)
        abort();
    return 0;
}
