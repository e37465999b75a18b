package dev.coalesce.spring.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application that names no Coalesce type: the starter does the wiring. */
@SpringBootApplication
public class StarterApplication {}
