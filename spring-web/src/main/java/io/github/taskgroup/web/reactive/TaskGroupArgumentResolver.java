package io.github.taskgroup.web.reactive;

import io.github.taskgroup.TaskGroup;
import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Resolves a WebFlux handler's {@code TaskGroup} parameter to the request's group, opening it. */
public class TaskGroupArgumentResolver implements HandlerMethodArgumentResolver {

    private final ReactiveRequestTaskGroups groups;

    /** @param groups the request groups it resolves handler parameters from */
    public TaskGroupArgumentResolver(ReactiveRequestTaskGroups groups) {
        this.groups = groups;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == TaskGroup.class;
    }

    @Override
    public Mono<Object> resolveArgument(
            MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        return Mono.fromSupplier(() -> this.groups.of(exchange).group());
    }
}
