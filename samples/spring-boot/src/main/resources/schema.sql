create schema if not exists spring_tracker;
