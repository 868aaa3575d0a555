package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;
import scala.Function1;

import java.io.Serializable;

/**
 * Validators for Spark ML params that fail with the house message ("{owner} parameter {name} given invalid value
 * {value}: {why}") instead of Spark's reason-less one. A {@code Param} runs its validator on every value set, by a
 * setter, {@code setDefault} or a {@code ParamMap} given to {@code fit}/{@code transform}, so a bad value is rejected
 * with its reason wherever it comes from.
 */
final class ParamChecks {
    private ParamChecks() {}

    /** A serialisable condition on a param value (params travel with their stage). */
    interface Rule<T> extends Serializable {
        boolean ok(T value);
    }

    /** A Scala predicate for {@code new Param(...)} that throws the house message when {@code rule} fails. */
    @SuppressWarnings("unchecked")
    static <T> Function1<T, Object> valid(String owner, String name, Rule<T> rule, String why) {
        return (Function1<T, Object> & Serializable) v -> {
            Checks.require(v != null && rule.ok(v), owner, name, v, why);
            return Boolean.TRUE;
        };
    }

    /** For {@code IntParam}, {@code LongParam} and {@code DoubleParam}, whose values arrive boxed. */
    static Function1<Object, Object> number(String owner, String name, Rule<Double> rule, String why) {
        return valid(owner, name, v -> rule.ok(((Number) v).doubleValue()), why);
    }

    /** A non-null column name. */
    static Function1<String, Object> column(String owner, String name) {
        return valid(owner, name, c -> !c.isEmpty(), "must be a column name");
    }
}
