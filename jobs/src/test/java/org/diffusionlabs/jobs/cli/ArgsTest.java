package org.diffusionlabs.jobs.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The option parser on its own. */
class ArgsTest {
    private static final List<Option> OPTIONS = List.of(
            Option.valued("n", "N", "a count"), Option.valued("lr", "X", "a rate"), Option.flag("dry-run", "a flag"));

    @Test
    void spaceAndEqualsFormsAndFlags() throws UsageException {
        Args a = Args.parse(List.of("--n", "3", "--lr=-0.5", "--dry-run"), OPTIONS);
        assertEquals(3, a.requiredInt("n"));
        assertEquals(-0.5, a.real("lr", 1.0));
        assertTrue(a.flag("dry-run"));
    }

    @Test
    void absentOptionsFallBack() throws UsageException {
        Args a = Args.parse(List.of(), OPTIONS);
        assertFalse(a.flag("dry-run"));
        assertEquals(Optional.empty(), a.optionalInt("n"));
        assertEquals(2.0, a.real("lr", 2.0));
        assertEquals("missing required option --n", assertThrows(UsageException.class, () -> a.required("n")).getMessage());
    }

    @Test
    void negativeNumbersAreValuesNotOptions() throws UsageException {
        assertEquals(-5, Args.parse(List.of("--n", "-5"), OPTIONS).requiredInt("n"));
    }

    @Test
    void badNumbersNameOptionAndValue() throws UsageException {
        Args a = Args.parse(List.of("--n", "3x", "--lr", "NaN"), OPTIONS);
        assertEquals("option --n needs an integer, got '3x'",
                assertThrows(UsageException.class, () -> a.requiredInt("n")).getMessage());
        assertEquals("option --lr needs a finite number, got 'NaN'",
                assertThrows(UsageException.class, () -> a.real("lr", 0)).getMessage());
    }

    @Test
    void unknownOptionListsTheValidOnes() {
        UsageException e = assertThrows(UsageException.class, () -> Args.parse(List.of("--m", "1"), OPTIONS));
        assertEquals("unknown option --m (valid options: --n N, --lr X, --dry-run)", e.getMessage());
    }

    @Test
    void emptyValueIsMissing() {
        UsageException e = assertThrows(UsageException.class, () -> Args.parse(List.of("--n="), OPTIONS));
        assertEquals("option --n needs a value (--n N)", e.getMessage());
    }

    @Test
    void helpIsDetectedAnywhere() {
        assertTrue(Args.wantsHelp(List.of("--n", "x", "--help")));
        assertTrue(Args.wantsHelp(List.of("-h")));
        assertFalse(Args.wantsHelp(List.of("--n", "3")));
    }
}
