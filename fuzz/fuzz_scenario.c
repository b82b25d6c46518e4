/* fuzz_scenario - the scenario parser (no includes) and its check */
#include <stdint.h>
#include <stdlib.h>

#include "scenario.h"

static struct scenario s; /* 40 KiB: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario_error err;

    scenario_init(&s);
    if (scenario_parse(&s, "fuzz.scn", (const char *)data, size, NULL, NULL, &err) == 0)
        (void)scenario_check(&s, &err);
    if (s.arena_used > SCENARIO_ARENA_MAX || s.nsteps > SCENARIO_STEPS_MAX)
        abort();
    return 0;
}
