package io.github.taskgroup.web.servlet;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.web.TaskGroupErrorResponses;
import io.github.taskgroup.web.TaskGroupRequestAbortedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.context.request.async.CallableProcessingInterceptor;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.DeferredResultProcessingInterceptor;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.AsyncHandlerInterceptor;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.ExceptionHandlerExceptionResolver;

/**
 * Wires request-scoped groups into Spring MVC:
 * <ul>
 *   <li>a {@code TaskGroup} handler parameter resolves to the request's group (opening it);</li>
 *   <li>a handler interceptor tracks the thread inside the handler (for the probe and the binding) and
 *       completes the group of a request that did not go asynchronous;</li>
 *   <li>{@code Callable} and {@code DeferredResult} interceptors (Spring's bridge to the servlet
 *       {@code AsyncListener}; {@code WebAsyncTask} and {@code CompletableFuture} handlers go through them):
 *       timeout aborts with reason {@code timeout}, a container error with {@code request-aborted}, completion
 *       closes the group. On an abort the library completes the async request itself (error result of the
 *       {@code DeferredResult}, interrupt of the {@code Callable}'s thread), and a result produced after the
 *       abort is replaced by the abort's exception: a cancelled task never completes the response as a
 *       success.</li>
 *   <li>a {@link TaskGroupHandlerExceptionResolver} answers the timeouts (504) and server-side cancellations
 *       (503) of request groups that the application did not handle.</li>
 * </ul>
 */
public class TaskGroupWebMvcConfigurer implements WebMvcConfigurer {

    private final ServletRequestTaskGroups groups;

    private final TaskGroupHandlerExceptionResolver exceptionResolver;

    /** @param groups the request groups it resolves handler parameters from */
    public TaskGroupWebMvcConfigurer(ServletRequestTaskGroups groups) {
        this(groups, new TaskGroupHandlerExceptionResolver());
    }

    /**
     * @param groups the request groups it resolves handler parameters from
     * @param exceptionResolver answers the timeouts and cancellations of request groups that the application
     *     did not handle (504, 503); put right after the {@code @ExceptionHandler} methods
     */
    public TaskGroupWebMvcConfigurer(
            ServletRequestTaskGroups groups, TaskGroupHandlerExceptionResolver exceptionResolver) {
        this.groups = groups;
        this.exceptionResolver = exceptionResolver;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new TaskGroupArgumentResolver());
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new DispatchInterceptor());
    }

    @Override
    public void extendHandlerExceptionResolvers(List<HandlerExceptionResolver> resolvers) {
        int index = 0;
        for (int i = 0; i < resolvers.size(); i++) {
            if (resolvers.get(i) instanceof ExceptionHandlerExceptionResolver exceptionHandlers) {
                this.exceptionResolver.setExceptionHandlerResolver(exceptionHandlers);
                index = i + 1;
                break;
            }
        }
        resolvers.add(index, this.exceptionResolver);
    }

    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
        AsyncInterceptor interceptor = new AsyncInterceptor();
        configurer.registerCallableInterceptors(interceptor);
        configurer.registerDeferredResultInterceptors(interceptor);
    }

    Exception abortException(ServletRequestTaskGroup scope, NativeWebRequest request, CancellationReason reason) {
        if (reason == CancellationReason.TIMEOUT) {
            return new AsyncRequestTimeoutException();
        }
        HttpServletRequest servlet = request.getNativeRequest(HttpServletRequest.class);
        return TaskGroupErrorResponses.aborted(
                scope,
                reason,
                (servlet != null) ? TaskGroupHandlerExceptionResolver.route(servlet) : null,
                this.exceptionResolver.getRetryAfter(),
                null);
    }

    private static @Nullable ServletRequestTaskGroup find(NativeWebRequest request) {
        HttpServletRequest servlet = request.getNativeRequest(HttpServletRequest.class);
        return (servlet != null) ? ServletRequestTaskGroups.find(servlet) : null;
    }

    private final class TaskGroupArgumentResolver implements HandlerMethodArgumentResolver {

        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == TaskGroup.class;
        }

        @Override
        public Object resolveArgument(
                MethodParameter parameter,
                @Nullable ModelAndViewContainer mavContainer,
                NativeWebRequest webRequest,
                @Nullable WebDataBinderFactory binderFactory) {
            HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
            if (request == null) {
                throw new IllegalStateException("A TaskGroup parameter needs a servlet request");
            }
            return TaskGroupWebMvcConfigurer.this
                    .groups
                    .of(request, webRequest.getNativeResponse(HttpServletResponse.class))
                    .group();
        }
    }

    private static final class DispatchInterceptor implements AsyncHandlerInterceptor {

        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(request);
            if (scope != null) {
                scope.enterDispatch();
            }
            return true;
        }

        @Override
        public void afterConcurrentHandlingStarted(
                HttpServletRequest request, HttpServletResponse response, Object handler) {
            ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(request);
            if (scope != null) {
                scope.exitDispatch();
            }
        }

        @Override
        public void afterCompletion(
                HttpServletRequest request, HttpServletResponse response, Object handler, @Nullable Exception ex) {
            ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(request);
            if (scope != null) {
                scope.exitDispatch();
                if (!request.isAsyncStarted()) {
                    scope.complete();
                }
            }
        }
    }

    private final class AsyncInterceptor implements CallableProcessingInterceptor, DeferredResultProcessingInterceptor {

        // Callable

        @Override
        public <T> void preProcess(NativeWebRequest request, Callable<T> task) {
            ServletRequestTaskGroup scope = find(request);
            if (scope != null) {
                scope.callableStarted();
            }
        }

        @Override
        public <T> void postProcess(NativeWebRequest request, Callable<T> task, @Nullable Object concurrentResult)
                throws Exception {
            ServletRequestTaskGroup scope = find(request);
            if (scope != null) {
                scope.callableFinished();
                rejectAfterAbort(scope, request, concurrentResult);
            }
        }

        @Override
        public <T> Object handleTimeout(NativeWebRequest request, Callable<T> task) {
            abort(request, CancellationReason.TIMEOUT);
            return CallableProcessingInterceptor.RESULT_NONE;
        }

        @Override
        public <T> Object handleError(NativeWebRequest request, Callable<T> task, Throwable t) {
            abort(request, CancellationReason.REQUEST_ABORTED);
            return CallableProcessingInterceptor.RESULT_NONE;
        }

        @Override
        public <T> void afterCompletion(NativeWebRequest request, Callable<T> task) {
            complete(request);
        }

        // DeferredResult (and CompletableFuture, which Spring adapts to one)

        @Override
        public <T> void beforeConcurrentHandling(NativeWebRequest request, DeferredResult<T> deferredResult) {
            ServletRequestTaskGroup scope = find(request);
            if (scope != null) {
                scope.onAbort((reason) -> deferredResult.setErrorResult(abortException(scope, request, reason)));
            }
        }

        @Override
        public <T> void postProcess(
                NativeWebRequest request, DeferredResult<T> deferredResult, @Nullable Object concurrentResult)
                throws Exception {
            ServletRequestTaskGroup scope = find(request);
            if (scope != null) {
                rejectAfterAbort(scope, request, concurrentResult);
            }
        }

        @Override
        public <T> boolean handleTimeout(NativeWebRequest request, DeferredResult<T> deferredResult) {
            abort(request, CancellationReason.TIMEOUT);
            return true;
        }

        @Override
        public <T> boolean handleError(NativeWebRequest request, DeferredResult<T> deferredResult, Throwable t) {
            abort(request, CancellationReason.REQUEST_ABORTED);
            return true;
        }

        @Override
        public <T> void afterCompletion(NativeWebRequest request, DeferredResult<T> deferredResult) {
            complete(request);
        }

        private void rejectAfterAbort(ServletRequestTaskGroup scope, NativeWebRequest request, @Nullable Object result)
                throws Exception {
            CancellationReason reason = scope.abortReason().orElse(null);
            if (reason != null
                    && !(result instanceof TaskGroupRequestAbortedException)
                    && !(result instanceof AsyncRequestTimeoutException)) {
                throw abortException(scope, request, reason);
            }
        }

        private static void abort(NativeWebRequest request, CancellationReason reason) {
            ServletRequestTaskGroup scope = find(request);
            if (scope != null) {
                scope.abort(reason);
            }
        }

        private static void complete(NativeWebRequest request) {
            ServletRequestTaskGroup scope = find(request);
            if (scope != null) {
                scope.complete();
            }
        }
    }
}
