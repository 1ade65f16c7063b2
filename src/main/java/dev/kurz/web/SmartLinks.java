package dev.kurz.web;

import dev.kurz.analytics.GeoIp;
import dev.kurz.analytics.UserAgents;
import dev.kurz.analytics.VisitorHasher;
import dev.kurz.link.DomainService;
import dev.kurz.ratelimit.Limiter;

/**
 * What the redirect path needs for smart links, all of it shared with analytics rather than
 * duplicated: the domains, the user-agent parser, GeoIP, the daily visitor hash, and the limit
 * on password tries (per client address and link).
 */
public record SmartLinks(DomainService domains, UserAgents agents, GeoIp geo, VisitorHasher visitors, Limiter passwordTries) {}
