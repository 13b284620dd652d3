package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.core.AgentRoles;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.Test;

/**
 * The ten ready-made agent roles: each loads with the engine's role loader, and each tool it names is in the
 * catalogue (the tool plugins' tools and the app's own faces), with a gate wherever one of its tools may destroy.
 */
class AgentRolesTest {
    @Test
    void everyRole_loads_andNamesOnlyToolsOfTheCatalogue_withAGateOverItsDestructiveTools() {
        List<ToolDescriptor> catalogue = new java.util.ArrayList<>();
        ServiceLoader.load(ToolProvider.class).forEach(p -> catalogue.addAll(p.tools()));
        catalogue.addAll(new FaceTools(() -> null, true).tools());
        Set<String> names = new HashSet<>();
        catalogue.forEach(t -> names.add(t.name()));
        assertThat(names).as("the catalogue holds the plugins' tools").contains("files_read", "command_run",
                "terraform_apply", "code_deploy");
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("roles" + UUID.randomUUID()
                .toString().replace("-", ""))).build()) {
            assertThat(AgentRoles.NAMES).hasSize(10).doesNotHaveDuplicates();
            for (String name : AgentRoles.NAMES) {
                AgentSpec spec = AgentRoles.load(engine.agents(), name);
                assertThat(spec.name()).isEqualTo(name);
                assertThat(spec.description()).as(name).isNotBlank();
                assertThat(spec.brain()).as(name).isEqualTo(new Brain.Panel("agents"));
                assertThat(spec.tools()).as(name + " names only tools of the catalogue").isNotEmpty().allSatisfy(
                        t -> assertThat(names).contains(t));
                boolean destroys = catalogue.stream().anyMatch(t -> spec.allows(t.name()) && t.annotations() != null
                        && t.annotations().destructive());
                if (destroys) {
                    assertThat(spec.gate().mode()).as(name + " may destroy, so a gate approves it").isNotEqualTo(
                            Gate.Mode.NONE);
                    assertThat(spec.gate().panel()).isEqualTo("reviewers");
                }
            }
            assertThat(AgentRoles.load(engine.agents(), "deployment-orchestrator").gate().mode()).isEqualTo(
                    Gate.Mode.BOTH);
        }
        assertThatThrownBy(() -> AgentRoles.text("janitor")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("janitor").hasMessageContaining("final-validation-certifier");
    }
}
