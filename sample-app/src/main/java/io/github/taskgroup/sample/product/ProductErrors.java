package io.github.taskgroup.sample.product;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns failed product pages into JSON errors that name what went wrong. */
@RestControllerAdvice(assignableTypes = ProductController.class)
class ProductErrors {

    @ExceptionHandler
    ResponseEntity<Map<String, Object>> failed(ProductPageException ex) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ex.status().value());
        body.put("error", ex.error());
        if (ex.dependency() != null) {
            body.put("dependency", ex.dependency());
        }
        if (ex.dependencyStatus() != null) {
            body.put("dependencyStatus", ex.dependencyStatus());
        }
        if (ex.group() != null) {
            body.put("group", ex.group());
        }
        if (ex.timeout() != null) {
            body.put("timeout", ex.timeout().toString());
        }
        body.put("message", ex.getMessage());
        body.put("tasks", ex.tasks());
        return ResponseEntity.status(ex.status()).body(body);
    }

    @ExceptionHandler
    ResponseEntity<Map<String, Object>> badRequest(IllegalArgumentException ex) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", HttpStatus.BAD_REQUEST.value());
        body.put("error", "bad-request");
        body.put("message", ex.getMessage());
        return ResponseEntity.badRequest().body(body);
    }
}
