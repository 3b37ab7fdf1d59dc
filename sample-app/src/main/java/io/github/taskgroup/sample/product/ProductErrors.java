package io.github.taskgroup.sample.product;

import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns failed product pages into JSON errors that name what went wrong. */
@RestControllerAdvice(assignableTypes = ProductController.class)
class ProductErrors {

    @ExceptionHandler
    ResponseEntity<Map<String, Object>> failed(ProductPageException ex) {
        return ResponseEntity.status(ex.status()).body(ex.body());
    }

    @ExceptionHandler
    ResponseEntity<Map<String, Object>> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ProductPageException.badRequestBody(ex));
    }
}
