package org.diffusionlabs.models.adm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The MAC counts of spec §15 (tutorial and library-default U-Nets), counted by an independent model of the reference. */
class AdmFlopsTest {
    @Test
    void tutorialUNet() {
        AdmUNetConfig tutorial = AdmUNetConfig.admUnet(128, 128, 768, "digit", true, 1, 128, 3, 3);
        assertEquals(11.77e9, AdmFlops.forwardMacs(tutorial, 32, 32), 0.01e9);
        assertEquals(50.1e9, AdmFlops.forwardMacs(tutorial, 64, 64), 0.1e9);
    }

    @Test
    void libraryDefaults() {
        AdmUNetConfig defaults = AdmUNetConfig.admUnetDefaults();
        assertEquals(185.6e9, AdmFlops.forwardMacs(defaults, 32, 32), 0.1e9);
        assertEquals(752.7e9, AdmFlops.forwardMacs(defaults, 64, 64), 0.1e9);
    }

    @Test
    void resolutionMustSurviveTheDownsampling() {
        assertThrows(IllegalArgumentException.class,
                () -> AdmFlops.forwardMacs(AdmUNetConfig.admUnet(128, 128, 768, "digit", true, 1, 32, 3, 1), 20, 20));
    }
}
