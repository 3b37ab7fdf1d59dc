package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.autoconfigure.web.AbstractHttp2StreamResetTests;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/** The endpoints of {@link AbstractHttp2StreamResetTests} on a servlet container. */
@RestController
class Http2ServletHandlers {

    private final TaskRecorder recorder;

    Http2ServletHandlers(TaskRecorder recorder) {
        this.recorder = recorder;
    }

    @GetMapping("/h2/port")
    String port(HttpServletRequest request) {
        return Integer.toString(request.getRemotePort());
    }

    @GetMapping("/h2/slow")
    Object slow(TaskGroup group, HttpServletRequest request, @RequestParam int n, @RequestParam String style)
            throws InterruptedException {
        AbstractHttp2StreamResetTests.slowPorts.add(request.getRemotePort());
        DeferredResult<String> result = new DeferredResult<>();
        AtomicInteger left = new AtomicInteger(n);
        for (int i = 0; i < n; i++) {
            group.fork("slow-" + i, () -> {
                String done = ServletTestApp.slow(this.recorder);
                if (left.decrementAndGet() == 0) {
                    result.setResult("done");
                }
                return done;
            });
        }
        if (style.equals("async")) {
            return result;
        }
        group.join();
        return "done";
    }

    @GetMapping("/h2/gated")
    String gated(TaskGroup group, HttpServletRequest request, @RequestParam int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            group.fork("gated-" + i, this.recorder::gated);
        }
        group.join();
        return "gated " + request.getRemotePort();
    }
}
