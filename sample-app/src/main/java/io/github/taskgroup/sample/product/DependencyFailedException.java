package io.github.taskgroup.sample.product;

import io.github.taskgroup.sample.downstream.Dependency;

/** A downstream service answered with an error. */
public class DependencyFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Dependency dependency;
    private final int status;

    public DependencyFailedException(Dependency dependency, int status, String message) {
        super(message);
        this.dependency = dependency;
        this.status = status;
    }

    public Dependency dependency() {
        return dependency;
    }

    /** @return the HTTP status the service answered with */
    public int status() {
        return status;
    }
}
