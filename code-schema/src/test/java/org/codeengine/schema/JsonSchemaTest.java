package org.codeengine.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link JsonSchema} against JSON Schema 2020-12, one row per rule: the schema, the value, and every error expected
 * ({@code <path>: <rule>}), none when the value is valid. Schemas and values are written with ' for ".
 */
class JsonSchemaTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static Arguments row(String schema, String value, String... errors) {
        return Arguments.of(schema, value, List.of(errors));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // type: an integer is any number with no fraction, 1.0 included; number takes integers
                row("{'type':'integer'}", "3"),
                row("{'type':'integer'}", "3.0"),
                row("{'type':'integer'}", "1e2"),
                row("{'type':'integer'}", "3.5", "$: must be of type integer but is number"),
                row("{'type':'integer'}", "'3'", "$: must be of type integer but is string"),
                row("{'type':'number'}", "3"),
                row("{'type':'number'}", "-3.25"),
                row("{'type':'number'}", "true", "$: must be of type number but is boolean"),
                row("{'type':'string'}", "null", "$: must be of type string but is null"),
                row("{'type':'boolean'}", "0", "$: must be of type boolean but is integer"),
                row("{'type':'object'}", "[]", "$: must be of type object but is array"),
                row("{'type':'array'}", "{}", "$: must be of type array but is object"),
                row("{'type':['string','null']}", "null"),
                row("{'type':['string','null']}", "1", "$: must be of type [\"string\",\"null\"] but is integer"),
                // a wrong type is the one error reported at its place: the other keywords there are not checked
                row("{'type':'string','minLength':5}", "1", "$: must be of type string but is integer"),

                // required, properties, additionalProperties, patternProperties, property counts
                row("{'required':['a','b']}", "{'a':1}", "$: the property 'b' is required"),
                row("{'required':['a']}", "{'a':null}"),
                row("{'required':['a']}", "5"),
                row("{'properties':{'a':{'properties':{'b':{'type':'string'}}}}}", "{'a':{'b':1}}",
                        "$.a.b: must be of type string but is integer"),
                row("{'properties':{'list':{'items':{'required':['id']}}}}", "{'list':[{'id':1},{}]}",
                        "$.list[1]: the property 'id' is required"),
                row("{'properties':{'a':{}},'additionalProperties':false}", "{'a':1,'b':2}",
                        "$: the property 'b' is not allowed"),
                row("{'properties':{'a':{}},'additionalProperties':{'type':'string'}}", "{'a':1,'b':2}",
                        "$.b: must be of type string but is integer"),
                row("{'patternProperties':{'^x-':{'type':'string'}},'additionalProperties':false}",
                        "{'x-a':'s','y':1}", "$: the property 'y' is not allowed"),
                row("{'patternProperties':{'^x-':{'type':'string'}}}", "{'x-a':1}",
                        "$['x-a']: must be of type string but is integer"),
                row("{'properties':{'a.b':{'type':'string'}}}", "{'a.b':1}",
                        "$['a.b']: must be of type string but is integer"),
                row("{'minProperties':2}", "{'a':1}", "$: must have at least 2 properties"),
                row("{'maxProperties':1}", "{'a':1,'b':2}", "$: must have at most 1 properties"),
                row("{'dependentRequired':{'card':['cvv']}}", "{'card':1}",
                        "$: the property 'cvv' is required when 'card' is present"),
                row("{'dependentRequired':{'card':['cvv']}}", "{'cvv':1}"),
                row("{'dependentSchemas':{'card':{'required':['cvv']}}}", "{'card':1}",
                        "$: the property 'cvv' is required"),
                row("{'dependentSchemas':{'card':{'required':['cvv']}}}", "{'name':1}"),
                row("{'propertyNames':{'pattern':'^[a-z]+$'}}", "{'ok':1,'Bad':2}",
                        "$: the property name 'Bad' must match the pattern ^[a-z]+$"),
                row("{'propertyNames':{'maxLength':3}}", "{'abc':1}"),

                // enum and const compare as JSON does: 1 and 1.0 are one number, at any depth
                row("{'enum':['a','b']}", "'c'", "$: must be one of [\"a\",\"b\"]"),
                row("{'enum':[1,2]}", "1.0"),
                row("{'enum':[[1,2]]}", "[1.0,2]"),
                row("{'enum':[{'a':1}]}", "{'a':1.0}"),
                row("{'enum':[{'a':1}]}", "{'a':1,'b':2}", "$: must be one of [{\"a\":1}]"),
                row("{'const':null}", "null"),
                row("{'const':null}", "0", "$: must be null"),
                row("{'const':false}", "0", "$: must be false"),
                row("{'const':{'a':[1]}}", "{'a':[1.0]}"),
                row("{'const':'a'}", "'b'", "$: must be \"a\""),

                // numeric bounds and multipleOf, exact in decimal
                row("{'minimum':1}", "1"),
                row("{'minimum':1}", "0.5", "$: must be at least 1"),
                row("{'exclusiveMinimum':1}", "1", "$: must be greater than 1"),
                row("{'maximum':10}", "10.5", "$: must be at most 10"),
                row("{'exclusiveMaximum':10}", "10", "$: must be less than 10"),
                row("{'exclusiveMaximum':10}", "9.99"),
                row("{'multipleOf':0.01}", "0.07"),
                row("{'multipleOf':0.01}", "0.075", "$: must be a multiple of 0.01"),
                row("{'multipleOf':3}", "7", "$: must be a multiple of 3"),
                row("{'minimum':5}", "'a'"),

                // string lengths count code points; pattern is unanchored
                row("{'minLength':2}", "'a'", "$: must have at least 2 characters"),
                row("{'maxLength':2}", "'abc'", "$: must have at most 2 characters"),
                row("{'maxLength':1}", "'\uD83D\uDE00'"),
                row("{'pattern':'^[a-z]+$'}", "'abc'"),
                row("{'pattern':'^[a-z]+$'}", "'aB'", "$: must match the pattern ^[a-z]+$"),
                row("{'pattern':'b'}", "'abc'"),
                row("{'pattern':'('}", "'x'", "$: the schema's pattern '(' is not a valid regular expression"),
                row("{'minLength':2}", "5"),

                // arrays: items, prefixItems, sizes, uniqueItems, contains
                row("{'items':{'type':'integer'}}", "[1,'x']", "$[1]: must be of type integer but is string"),
                row("{'prefixItems':[{'type':'string'},{'type':'integer'}]}", "['a',1,true]"),
                row("{'prefixItems':[{'type':'string'},{'type':'integer'}]}", "[1]",
                        "$[0]: must be of type string but is integer"),
                row("{'prefixItems':[{'type':'string'}],'items':false}", "['a',1]", "$[1]: no value is allowed here"),
                row("{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}", "['a',1,'b']",
                        "$[2]: must be of type integer but is string"),
                row("{'minItems':2}", "[1]", "$: must have at least 2 items"),
                row("{'maxItems':1}", "[1,2]", "$: must have at most 1 items"),
                row("{'uniqueItems':true}", "[1,2,1]", "$: the items must be unique"),
                row("{'uniqueItems':true}", "[1,'1',true]"),
                row("{'uniqueItems':true}", "[1,1.0]", "$: the items must be unique"),
                row("{'uniqueItems':true}", "[{'a':[1]},{'a':[1.0]}]", "$: the items must be unique"),
                row("{'uniqueItems':true}", "[{'a':1,'b':2},{'b':2,'a':1}]", "$: the items must be unique"),
                row("{'uniqueItems':false}", "[1,1]"),
                row("{'contains':{'type':'string'}}", "[1,'a']"),
                row("{'contains':{'type':'string'}}", "[1,2]", "$: must contain at least 1 item that matches contains"),
                row("{'contains':{'type':'string'},'minContains':2}", "[1,'a']",
                        "$: must contain at least 2 items that match contains"),
                row("{'contains':{'type':'string'},'maxContains':1}", "['a','b']",
                        "$: must contain at most 1 item that matches contains"),
                row("{'contains':{'type':'string'},'minContains':0}", "[1]"),

                // combinators
                row("{'allOf':[{'minimum':1},{'maximum':3}]}", "5", "$: must be at most 3"),
                row("{'anyOf':[{'type':'string'},{'type':'integer'}]}", "true",
                        "$: must match at least one schema of anyOf"),
                row("{'anyOf':[{'type':'string'},{'type':'integer'}]}", "2"),
                row("{'oneOf':[{'type':'integer'},{'minimum':0}]}", "5",
                        "$: must match exactly one schema of oneOf but matches 2"),
                row("{'oneOf':[{'type':'integer'},{'minimum':0}]}", "1.5"),
                row("{'oneOf':[{'type':'integer'},{'minimum':0}]}", "-1.5",
                        "$: must match exactly one schema of oneOf but matches 0"),
                row("{'not':{'type':'string'}}", "'x'", "$: must not match the schema of not"),
                row("{'not':{'type':'string'}}", "1"),
                row("{'if':{'properties':{'kind':{'const':'a'}}},'then':{'required':['x']},'else':{'required':['y']}}",
                        "{'kind':'a'}", "$: the property 'x' is required"),
                row("{'if':{'properties':{'kind':{'const':'a'}}},'then':{'required':['x']},'else':{'required':['y']}}",
                        "{'kind':'b'}", "$: the property 'y' is required"),
                row("true", "{'anything':[1]}"),
                row("false", "1", "$: no value is allowed here"),
                row("{'properties':{'a':false}}", "{'a':1}", "$.a: no value is allowed here"),

                // $ref into the same document: $defs, JSON pointer escapes, percent-encoding, $anchor, recursion;
                // keywords beside $ref apply too
                row("{'$defs':{'pos':{'type':'integer','minimum':1}},'properties':{'n':{'$ref':'#/$defs/pos'}}}",
                        "{'n':0}", "$.n: must be at least 1"),
                row("{'$defs':{'s':{'type':'string'}},'$ref':'#/$defs/s','maxLength':2}", "'abc'",
                        "$: must have at most 2 characters"),
                row("{'properties':{'child':{'$ref':'#'}},'required':['v']}", "{'v':1,'child':{'v':2,'child':{}}}",
                        "$.child.child: the property 'v' is required"),
                row("{'$defs':{'a/b':{'type':'string'}},'$ref':'#/$defs/a~1b'}", "1",
                        "$: must be of type string but is integer"),
                row("{'$defs':{'a b':{'type':'string'}},'$ref':'#/$defs/a%20b'}", "1",
                        "$: must be of type string but is integer"),
                row("{'$defs':{'s':{'$anchor':'str','type':'string'}},'$ref':'#str'}", "1",
                        "$: must be of type string but is integer"),
                row("{'$ref':'#/$defs/none'}", "1", "$: the schema's $ref '#/$defs/none' cannot be resolved"),
                row("{'$ref':'https://example.com/s.json'}", "1",
                        "$: the schema's $ref 'https://example.com/s.json' cannot be resolved"),

                // annotations and what is not implemented: format asserts nothing, default is not applied, and
                // unevaluatedProperties/unevaluatedItems are ignored (documented on JsonSchema)
                row("{'format':'email'}", "'not an email'"),
                row("{'properties':{'a':{'default':1}},'required':['a']}", "{}", "$: the property 'a' is required"),
                row("{'unevaluatedProperties':false}", "{'a':1}"),
                row("{'x-unknown-keyword':1}", "1"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("rows")
    void validate_reportsEachBrokenRule_withItsPath(String schema, String value, List<String> errors) {
        assertThat(JsonSchema.validate(json(schema), json(value))).containsExactlyElementsOf(errors);
    }

    @Test
    void errors_areCappedAtTwenty() {
        StringBuilder value = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            value.append(i == 0 ? "" : ",").append("'x'");
        }
        assertThat(JsonSchema.validate(json("{'items':{'type':'integer'}}"), json(value + "]"))).hasSize(20)
                .first().isEqualTo("$[0]: must be of type integer but is string");
    }

    @Test
    void recursion_stopsAtSixtyFourLevels_withAnError() {
        assertThat(JsonSchema.validate(json("{'$ref':'#'}"), json("1"))).containsExactly(
                "$: the schema nests too deep");
    }

    /** {@code ^(a+)+$} against 40 a's and a b takes 2^40 steps in a backtracking engine; RE2/J takes 41. */
    @Test
    void aPatternThatWouldBacktrack_isCheckedInLinearTime() {
        JsonNode schema = JSON.readTree("{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}");
        JsonNode value = JSON.getNodeFactory().stringNode("a".repeat(40) + "b");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(JsonSchema.validate(schema, value))
                .containsExactly("$: must match the pattern ^(a+)+$"));
    }

    @Test
    void aNumberTooLargeForADouble_isCheckedNotThrown() {
        assertThat(JsonSchema.validate(json("{'type':'integer','maximum':10}"), json("1e400"))).containsExactly(
                "$: must be at most 10");
    }
}
