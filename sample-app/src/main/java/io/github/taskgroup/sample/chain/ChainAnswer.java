package io.github.taskgroup.sample.chain;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one hop of the chain answers: the deadline it received and the one its request group had, then the
 * next hop's answer (or, on the last hop, how long it worked).
 *
 * @param hop the instance
 * @param receivedTimeoutMs the remaining time the caller sent in the deadline header, or {@code null}
 * @param deadlineInMs how far away the request group's deadline was when the handler began
 * @param workedMs on the last hop, how long the work took
 * @param next the next hop's answer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChainAnswer(String hop, Long receivedTimeoutMs, Long deadlineInMs, Long workedMs, ChainAnswer next) {}
