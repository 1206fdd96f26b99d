//! Links as people paste them: what the page's Share button and Embed
//! dialog copy, and what an address bar, a chat or an HTML source gives.
//! `experiment_query` finds the experiment in any of these forms:
//!
//! - a query string: `data=circle&k=2`, `?v=1&...`, `#v=1&...`;
//! - the page's address: `https://host/course/ibp/?lesson=beta&step=2#v=1&...`
//!   (the experiment is the fragment; the query holds page options);
//! - an embed: `<iframe src="https://host/?embed=1&amp;autoplay=1#v=1&amp;...">`,
//!   or its `src` alone with `&amp;` for `&`;
//! - any of these with surrounding whitespace or quotes (`'`, `"`, `` ` ``,
//!   typographic quotes, `<...>`).

use super::ConfigError;

/// Query keys of the page's address that are page options, not experiment
/// keys (`?lesson=beta` and the like).
const PAGE_OPTIONS: [&str; 9] = [
    "lesson",
    "step",
    "embed",
    "controls",
    "autoplay",
    "parent",
    "backend",
    "sweep",
    "sweep_steps",
];

/// Pairs of quotes people wrap links in.
const QUOTES: [(char, char); 6] = [
    ('\'', '\''),
    ('"', '"'),
    ('`', '`'),
    ('\u{201c}', '\u{201d}'),
    ('\u{2018}', '\u{2019}'),
    ('<', '>'),
];

/// Strips whitespace and any number of matching quote pairs around `text`
/// (an HTML element's angle brackets stay).
fn unwrap(text: &str) -> &str {
    let mut text = text.trim();
    loop {
        let html = text.starts_with("<iframe") || text.starts_with("<a ");
        let pair = QUOTES.iter().find(|(open, close)| {
            text.len() >= 2 && text.starts_with(*open) && text.ends_with(*close) && !html
        });
        match pair {
            Some((open, close)) => {
                text = text[open.len_utf8()..text.len() - close.len_utf8()].trim();
            }
            None => return text,
        }
    }
}

/// The `src` (or `href`) attribute of an HTML snippet, if it is one.
fn attribute(text: &str) -> Option<&str> {
    ["src=", "href="].iter().find_map(|name| {
        let start = text.find(name)? + name.len();
        let rest = &text[start..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = &rest[1..];
        Some(&value[..value.find(quote)?])
    })
}

/// The experiment's query string in a pasted link (not yet parsed: the
/// link parser names bad keys). Errors say why a pasted address holds no
/// experiment.
pub fn experiment_query(pasted: &str) -> Result<String, ConfigError> {
    let mut text = unwrap(pasted);
    if text.starts_with("<iframe") || text.starts_with("<a ") {
        text = attribute(text).ok_or_else(|| {
            ConfigError::new("link", "this HTML has no src=\"...\" address to read")
        })?;
    }
    let text = unwrap(text).replace("&amp;", "&");
    if let Some((_, fragment)) = text.split_once('#') {
        return Ok(fragment.to_string());
    }
    let address = text.contains("://") || text.starts_with('/');
    let query = match text.split_once('?') {
        Some((_, query)) => query,
        None if address => "",
        None => return Ok(text),
    };
    let options: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .filter(|key| PAGE_OPTIONS.contains(key))
        .collect();
    if !address && options.is_empty() {
        return Ok(query.to_string());
    }
    let lesson = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("lesson="))
        .map(|name| format!(" (it opens lesson '{}')", super::values::printable(name)))
        .unwrap_or_default();
    Err(ConfigError::new(
        "link",
        format!(
            "this address holds no experiment{lesson}: the experiment follows '#'. \
             Open it in the page and press Share, or give the query string itself"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "v=1&data=moons&hidden=8&k=3";

    #[test]
    fn every_pasted_form_gives_the_experiment() {
        for pasted in [
            LINK.to_string(),
            format!("?{LINK}"),
            format!("#{LINK}"),
            format!("http://127.0.0.1:8080/#{LINK}"),
            format!("https://host.example/course/ibp/?lesson=beta&step=2#{LINK}"),
            // Share with a β sweep on screen: the sweep is a page option.
            format!(
                "http://127.0.0.1:8080/?backend=cpu&sweep=beta%3D1e-5%3A1%3A8&sweep_steps=1000#{LINK}"
            ),
            format!(
                "https://host.example/?embed=1&amp;autoplay=1&amp;controls=0#{}",
                LINK.replace('&', "&amp;")
            ),
            format!(
                "<iframe src=\"https://h.example/?embed=1&amp;autoplay=1#{}\" width=\"360\"></iframe>",
                LINK.replace('&', "&amp;")
            ),
            format!("  '{LINK}'\n"),
            format!("\"http://h.example/#{LINK}\""),
            format!("\u{201c}{LINK}\u{201d}"),
            format!("<https://h.example/#{LINK}>"),
        ] {
            assert_eq!(experiment_query(&pasted).unwrap(), LINK, "{pasted}");
        }
    }

    #[test]
    fn an_address_without_an_experiment_says_so() {
        for (pasted, says) in [
            ("https://host.example/?lesson=beta", "lesson 'beta'"),
            ("http://host.example/", "follows '#'"),
            ("?lesson=compression&step=1", "lesson 'compression'"),
            ("?sweep=beta%3D1e-5%3A1%3A8&sweep_steps=1000", "follows '#'"),
            ("<iframe title=\"x\"></iframe>", "no src="),
        ] {
            let error = experiment_query(pasted).unwrap_err();
            assert_eq!(error.key, "link");
            assert!(error.message.contains(says), "{pasted}: {}", error.message);
        }
    }
}
