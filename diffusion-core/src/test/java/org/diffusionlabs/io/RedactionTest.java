package org.diffusionlabs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secrets are masked in text and JSON: URI credentials, secret-named keys; everything else is left as it was. */
class RedactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void secretNamedKeys() {
        for (String k : new String[] {"token", "api_token", "fs.s3a.secret.key", "password", "db.passwd", "credentials",
                "AWS_ACCESS_KEY_ID", "accessKey", "access.key", "apiKey", "private_key", "hf_token"}) {
            assertTrue(Redaction.secretKey(k), k);
        }
        for (String k : new String[] {"data.source", "keep_last", "embed_name", "model.depth", "seed", "key_col"}) {
            assertFalse(Redaction.secretKey(k), k);
        }
    }

    @Test
    void credentialsInUrisAreMasked() {
        assertEquals("reading s3a://***@bucket/mnist/", Redaction.text("reading s3a://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG@bucket/mnist/"));
        assertEquals("https://***@host:8443/x?y=1", Redaction.text("https://user:pa55@host:8443/x?y=1"));
        assertEquals("a ftp://***@h/ and b hdfs://***@nn:8020/p", Redaction.text("a ftp://u@h/ and b hdfs://u:p@nn:8020/p"));
        for (String same : new String[] {"hdfs://nn:8020/runs/a", "s3a://bucket/path/user@example.com", "user@host",
                "mailto:someone@example.com", "file:///tmp/x", "no uri here"}) {
            assertEquals(same, Redaction.text(same));
        }
    }

    @Test
    void secretPairsInTextAreMasked() {
        assertEquals("spark.hadoop.fs.s3a.secret.key=*** next", Redaction.text("spark.hadoop.fs.s3a.secret.key=abc/DEF+1 next"));
        assertEquals("{\"api_token\": \"***\", \"n\": 1}", Redaction.text("{\"api_token\": \"hf_abc\", \"n\": 1}"));
        assertEquals("GET /x?access_token=***&page=2", Redaction.text("GET /x?access_token=ya29.a0&page=2"));
        assertEquals("max tokens: 4", Redaction.text("max tokens: 4"));
    }

    @Test
    void jsonIsMaskedByKeyAndUri() throws IOException {
        JsonNode in = JSON.readTree("{\"data\": {\"source\": \"s3a://AKIA:secret@bucket/x\", \"labels\": \"\"}, "
                + "\"auth\": {\"password\": 123, \"tokens\": [\"a\", \"b\"], \"credential\": {\"id\": \"k\"}}, "
                + "\"n\": 2, \"list\": [\"https://u:p@h/\"], \"token\": null}");
        JsonNode out = Redaction.json(in);
        assertEquals("s3a://***@bucket/x", out.at("/data/source").asText());
        assertEquals("***", out.at("/auth/password").asText());
        assertEquals("***", out.at("/auth/tokens").asText());
        assertEquals("***", out.at("/auth/credential").asText());
        assertEquals(2, out.get("n").asInt());
        assertEquals("https://***@h/", out.at("/list/0").asText());
        assertTrue(out.get("token").isNull(), "nothing to hide");
        assertEquals("s3a://AKIA:secret@bucket/x", in.at("/data/source").asText(), "the input is not changed");
    }

    @Test
    void jsonTextKeepsItsFormattingWhenNothingIsSecret() throws IOException {
        String plain = "{ \"a\" : 1,\n  \"b\" : \"hdfs://nn/x\" }";
        assertSame(plain, Redaction.jsonText(plain));
        String masked = Redaction.jsonText("{\"a\": 1, \"secret\": \"s\", \"b\": \"s3a://k:s@b/\"}");
        assertEquals(JSON.readTree("{\"a\": 1, \"secret\": \"***\", \"b\": \"s3a://***@b/\"}"), JSON.readTree(masked));
        assertEquals("not json: s3a://***@b/", Redaction.jsonText("not json: s3a://k:s@b/"));
    }
}
