package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@link TaskGroupException#rethrowIfSingle(Class)} and {@link TaskGroupException#failures(Class)}. */
class TaskGroupExceptionHelpersTest {

    static TaskGroupException report(Throwable... failures) {
        return new TaskGroupException("g", "failed", List.of(failures), 0);
    }

    @Test
    void theSingleFailureOfTheTypeIsThrownAsItIs() {
        IOException io = new IOException("io");
        assertThatThrownBy(() -> report(io).rethrowIfSingle(IOException.class)).isSameAs(io);
        FileNotFoundException missing = new FileNotFoundException("missing");
        assertThatThrownBy(() -> report(missing).rethrowIfSingle(IOException.class))
                .isSameAs(missing);
        assertThatThrownBy(() -> report(missing).rethrowIfSingle(Exception.class))
                .isSameAs(missing);
        AssertionError error = new AssertionError("error");
        assertThatThrownBy(() -> report(error).rethrowIfSingle(Error.class)).isSameAs(error);
    }

    @Test
    void otherwiseTheReportItselfIsReturned() throws Exception {
        TaskGroupException none = report();
        assertThat(none.rethrowIfSingle(IOException.class)).isSameAs(none);
        TaskGroupException other = report(new IllegalStateException("state"));
        assertThat(other.rethrowIfSingle(IOException.class)).isSameAs(other);
        TaskGroupException many = report(new IOException("a"), new IOException("b"));
        assertThat(many.rethrowIfSingle(IOException.class)).isSameAs(many);
        TaskGroupException omitted = new TaskGroupException("g", "failed", List.of(new IOException("a")), 3);
        assertThat(omitted.rethrowIfSingle(IOException.class))
                .as("one kept, three omitted")
                .isSameAs(omitted);
    }

    @Test
    void aTimeoutIsNeverReplacedByItsFailure() throws Exception {
        TaskGroupTimeoutException timeout = new TaskGroupTimeoutException(
                "g", "timed out", Duration.ofSeconds(1), List.of(new IOException("late")), 0);
        assertThat(timeout.rethrowIfSingle(IOException.class)).isSameAs(timeout);
        TaskGroupException outer = report(timeout);
        assertThat(outer.rethrowIfSingle(IOException.class)).isSameAs(outer);
        assertThatThrownBy(() -> outer.rethrowIfSingle(TaskGroupTimeoutException.class))
                .isSameAs(timeout);
    }

    @Test
    void nestedReportsOfOneFailureAreLookedThrough() throws Exception {
        IOException io = new IOException("deep");
        TaskGroupException inner = report(io);
        TaskGroupException outer = report(report(inner));
        assertThatThrownBy(() -> outer.rethrowIfSingle(IOException.class)).isSameAs(io);
        assertThatThrownBy(() -> outer.rethrowIfSingle(TaskGroupException.class))
                .as("the outermost match wins")
                .isNotSameAs(inner)
                .isInstanceOf(TaskGroupException.class)
                .isSameAs(outer.failures().get(0));
        TaskGroupException wide = report(report(io, new IOException("other")));
        assertThat(wide.rethrowIfSingle(IOException.class)).isSameAs(wide);
        TaskGroupException wrapped = report(new RuntimeException(io));
        assertThat(wrapped.rethrowIfSingle(IOException.class))
                .as("causes are not unwrapped: only reports are")
                .isSameAs(wrapped);
    }

    @Test
    void failuresOfATypeAreFilteredInOrderAndFoundInNestedReports() {
        IOException a = new IOException("a");
        IllegalStateException b = new IllegalStateException("b");
        FileNotFoundException c = new FileNotFoundException("c");
        TimeoutException d = new TimeoutException("d");
        TaskGroupException nested = report(c, d);
        TaskGroupException outer = report(a, b, nested, new IOException("e"));
        assertThat(outer.failures(IOException.class))
                .extracting(Throwable::getMessage)
                .containsExactly("a", "c", "e");
        assertThat(outer.failures(TimeoutException.class)).containsExactly(d);
        assertThat(outer.failures(TaskGroupException.class)).containsExactly(nested);
        assertThat(outer.failures(Error.class)).isEmpty();
        assertThat(report().failures(Throwable.class)).isEmpty();
        assertThatThrownBy(() -> outer.failures(IOException.class).add(a))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aNullTypeIsRejected() {
        TaskGroupException report = report(new IOException());
        assertThatThrownBy(() -> report.rethrowIfSingle(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type");
        assertThatThrownBy(() -> report.failures(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type");
    }

    @Test
    void aDeserializedReportKeepsItsFailures() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(report(new IOException("io")));
        }
        TaskGroupException copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (TaskGroupException) in.readObject();
        }
        assertThat(copy.failures()).singleElement().isInstanceOf(IOException.class);
        assertThat(copy.failures(IOException.class))
                .singleElement()
                .extracting(Throwable::getMessage)
                .isEqualTo("io");
        assertThatThrownBy(() -> copy.rethrowIfSingle(IOException.class))
                .isInstanceOf(IOException.class)
                .hasMessage("io");
    }
}
