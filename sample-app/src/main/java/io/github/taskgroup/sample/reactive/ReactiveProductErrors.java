package io.github.taskgroup.sample.reactive;

import io.github.taskgroup.sample.product.ProductPageException;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The servlet route's JSON errors, for the WebFlux route. */
@RestControllerAdvice(assignableTypes = ReactiveProductController.class)
class ReactiveProductErrors {

    @ExceptionHandler
    ResponseEntity<Map<String, Object>> failed(ProductPageException ex) {
        return ResponseEntity.status(ex.status()).body(ex.body());
    }

    @ExceptionHandler
    ResponseEntity<Map<String, Object>> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ProductPageException.badRequestBody(ex));
    }
}
