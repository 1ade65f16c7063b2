package dev.kurz.config;

/** A setting with a bad value: the message names the variable, the value and what was expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException bad(String variable, String value, String expected) {
        return new ConfigException(variable + "=" + value + " is invalid: expected " + expected);
    }
}
