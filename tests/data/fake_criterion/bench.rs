use std::env;
use std::fs;
use std::path::PathBuf;

const NS: f64 = 10.0;
const IDS: &[&str] = &["alpha/one", "beta two", "gamma(3)"];

fn unescape(filter: &str) -> (String, bool) {
    let exact = filter.starts_with('^') && filter.ends_with('$');
    let body = if exact { &filter[1..filter.len() - 1] } else { filter };
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    (out, exact)
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let mut list = false;
    let mut save = String::from("new");
    let mut filter: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--bench" | "--noplot" => {}
            "--list" => list = true,
            "--save-baseline" => {
                i += 1;
                save = args[i].clone();
            }
            "--measurement-time" | "--warm-up-time" | "--sample-size" => i += 1,
            a if a.starts_with("--") => {
                eprintln!("error: Found argument '{}' which wasn't expected", a);
                std::process::exit(1);
            }
            a => filter = Some(a.to_string()),
        }
        i += 1;
    }
    let home = PathBuf::from(env::var("CRITERION_HOME").unwrap_or_else(|_| "target/criterion".into()));
    for id in IDS {
        if let Some(f) = &filter {
            let (text, exact) = unescape(f);
            if (exact && text != *id) || (!exact && !id.contains(text.as_str())) {
                continue;
            }
        }
        if list {
            println!("{}: bench", id);
            continue;
        }
        println!("Benchmarking {}", id);
        println!("Benchmarking {}: Analyzing", id);
        println!("{:<24}time:   [{:.4} ns {:.4} ns {:.4} ns]", id, NS * 0.99, NS, NS * 1.01);
        let dir = home.join(id.replace('/', "_")).join(&save);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ran"), format!("{}\n", NS)).unwrap();
    }
}
