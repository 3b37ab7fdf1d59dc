package io.github.taskgroup.sample.chain;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * This instance's place in the demo chain ({@code product -> pricing -> tax}: three instances of the sample
 * app on three ports, started by {@code sample-app/chain/run.sh}).
 *
 * @param hop the name of this instance in the chain, shown in answers and logs
 * @param next the base URL of the next instance; none on the last one, which does the work itself
 */
@ConfigurationProperties("sample.chain")
public record ChainProperties(String hop, URI next) {

    public ChainProperties {
        hop = hop != null && !hop.isBlank() ? hop : "product";
    }
}
