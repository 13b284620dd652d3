package org.codeengine.plugin.tools.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** terraform_plan, terraform_apply and terraform_show with the terraform on the PATH and a terraform_data resource. */
class TerraformToolsTest {
    private static final CallContext CALLER = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of(
            "ops")), null, "t-tf");

    @TempDir
    Path home;

    private CodeEngine engine(String dir) {
        CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("tf" + UUID.randomUUID().toString()
                .replace("-", ""))).toolsHome(home).toolSettings("terraform", JsonBodies.object().put("dir", dir)
                        .put("timeout-seconds", 120))
                .build();
        engine.security().defineRole("ops", Set.of(Permission.parse("tool:call:*")), Set.of());
        return engine;
    }

    @Test
    void planApplyShow_inTheConfiguredFolder_applyOnlyOnceConfirmed() throws IOException {
        if (Processes.onPath("terraform").isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("terraform is required in CI but is not on the PATH");
            }
            Assumptions.abort("terraform is not on the PATH");
        }
        Path work = Files.createDirectories(home.resolve("infra"));
        Files.writeString(work.resolve("main.tf"), """
                variable "tide" {
                  type = string
                }
                resource "terraform_data" "harbour" {
                  input = var.tide
                }
                """);
        try (CodeEngine engine = engine("infra")) {
            ToolResult noPlan = engine.tools().call(CALLER, "terraform_apply", JsonBodies.object(), q -> true);
            assertThat(noPlan.text()).contains("call terraform_plan first");

            String literal = "high; touch " + home.resolve("pwned") + " $(id)";
            ToolResult plan = engine.tools().call(CALLER, "terraform_plan", JsonBodies.object().set("variables",
                    JsonBodies.object().put("tide", literal)));
            assertThat(plan.error()).as(plan.text()).isFalse();
            assertThat(plan.structured().path("changes").asBoolean()).isTrue();
            assertThat(plan.structured().path("output").asString()).contains("terraform_data.harbour will be"
                    + " created");

            ToolResult unconfirmed = engine.tools().call(CALLER, "terraform_apply", JsonBodies.object());
            assertThat(unconfirmed.error()).isTrue();
            assertThat(unconfirmed.text()).contains("needs the caller's confirmation");
            assertThat(work.resolve("terraform.tfstate")).doesNotExist();

            ToolResult applied = engine.tools().call(CALLER, "terraform_apply", JsonBodies.object(), q -> true);
            assertThat(applied.error()).as(applied.text()).isFalse();
            assertThat(applied.structured().path("output").asString()).contains("1 added");

            ToolResult shown = engine.tools().call(CALLER, "terraform_show", JsonBodies.object());
            JsonNode resource = shown.structured().path("state").path("values").path("root_module").path(
                    "resources").path(0);
            assertThat(resource.path("address").asString()).isEqualTo("terraform_data.harbour");
            assertThat(resource.path("values").path("input").asString()).as("argv, never a shell").isEqualTo(
                    literal);
            assertThat(home.resolve("pwned")).doesNotExist();

            ToolResult again = engine.tools().call(CALLER, "terraform_plan", JsonBodies.object().set("variables",
                    JsonBodies.object().put("tide", literal)));
            assertThat(again.structured().path("changes").asBoolean()).isFalse();
            ToolResult badName = engine.tools().call(CALLER, "terraform_plan", JsonBodies.object().set("variables",
                    JsonBodies.object().put("-chdir=/", "x")));
            assertThat(badName.text()).contains("argument 'variables' holds '-chdir=/', which is not a variable");
        }
    }

    @Test
    void theWorkingDirectory_mustBeConfigured_andExist() {
        assertThatThrownBy(() -> engine("missing")).isInstanceOf(ConfigurationException.class).hasMessageContaining(
                "tools.terraform.dir names").hasMessageContaining("which is not a folder");
        assertThat(new TerraformToolProvider().unavailable()).hasValueSatisfying(why -> assertThat(why).containsAnyOf(
                "no working directory configured", "no terraform binary"));
    }
}
