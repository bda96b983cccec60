//! Files a user owns are never lost: `--out` replaces only folders storelab wrote, `--report`
//! never replaces what is not a regular file, input files that are not small regular files are
//! refused, and a closed or full standard output never makes storelab panic.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn storelab(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run storelab")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn minimal() -> String {
    scenario_path("minimal.ron").to_string_lossy().to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Hidden names in `dir` (staging folders, temporaries, old outputs): the tests create none.
fn stray(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// Every file below `dir` with its content, sorted: to show a folder is untouched.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

/// The `--out` forms of the three commands that write a folder (compare and sweep with two
/// quick replications).
fn out_commands(out: &Path) -> Vec<Vec<String>> {
    let m = minimal();
    let o = s(out).to_string();
    [
        vec!["run", &m, "--out", &o],
        vec!["compare", &m, &m, "-n", "2", "--out", &o],
        vec![
            "sweep",
            &m,
            "--set",
            "customers.arrival_multiplier=1,1.1",
            "-n",
            "2",
            "--out",
            &o,
        ],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect()
}

fn run_args(args: &[String]) -> Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    storelab(&a)
}

#[test]
fn a_user_folder_with_storelab_looking_files_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let thesis = dir.path().join("thesis");
    std::fs::create_dir(&thesis).unwrap();
    std::fs::write(thesis.join("summary.json"), "{\"mine\": true}\n").unwrap();
    std::fs::write(thesis.join("summary.csv"), "a,b\n").unwrap();
    std::fs::write(thesis.join("chapter1.tex"), "\\chapter{One}\n").unwrap();
    let before = snapshot(&thesis);
    for args in out_commands(&thesis) {
        let o = run_args(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("thesis") && err.contains("not a storelab output directory"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("Customers arrived"),
            "refused before simulating"
        );
        assert_eq!(snapshot(&thesis), before, "{args:?} touched the folder");
        assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));
    }
}

#[test]
fn a_marked_earlier_output_is_replaced_and_an_empty_folder_used() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for args in out_commands(&out) {
        // A new folder, then the same again over it: the earlier output goes as a whole.
        for round in 0..2 {
            let o = run_args(&args);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            assert!(out.join(".storelab-output").is_file(), "{args:?}");
            assert!(!out.join("stale.txt").exists(), "{args:?} round {round}");
            std::fs::write(out.join("stale.txt"), "from the earlier run").unwrap();
        }
        assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));
    }
    assert!(out.join("results.csv").is_file(), "the sweep's files");
    assert!(!out.join("summary.json").exists(), "the run's files went");

    // An existing empty folder is used; it keeps its place and mode.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o750)).unwrap();
    }
    let o = storelab(&["run", &minimal(), "--out", s(&empty)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(empty.join("summary.json").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&empty).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o750);
    }
}

#[test]
fn out_that_is_not_a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let o = storelab(&["run", &minimal(), "--out", s(&file)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&file), "mine");

    // A link to an earlier output is not followed: the link would be replaced, not its target.
    let real = dir.path().join("real");
    assert!(
        storelab(&["run", &minimal(), "--out", s(&real)])
            .status
            .success()
    );
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = storelab(&["run", &minimal(), "--out", s(&link)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());

    use std::os::unix::fs::FileTypeExt;
    let fifo = fifo(dir.path(), "fifo");
    let node = device_node(dir.path());
    for t in [Some(&fifo), node.as_ref()].into_iter().flatten() {
        let o = storelab(&["run", &minimal(), "--out", s(t)]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("not a folder"), "{}", stderr(&o));
        let kind = std::fs::symlink_metadata(t).unwrap().file_type();
        assert!(kind.is_fifo() || kind.is_char_device());
    }
    assert!(stray(dir.path()).is_empty());
}

#[test]
fn a_failing_write_leaves_no_folder_and_no_staging() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let e = storelab::experiment::output::write_dir_atomically(&out, |staging| {
        std::fs::write(staging.join("half.csv"), "a,b\n")?;
        Err(std::io::Error::other("disk full"))
    })
    .unwrap_err();
    assert_eq!(e.to_string(), "disk full");
    assert!(!out.exists());
    assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));

    // A panic while writing: the staging folder is removed as the stack unwinds.
    let panicked = std::panic::catch_unwind(|| {
        let _ = storelab::experiment::output::write_dir_atomically(&out, |staging| {
            std::fs::write(staging.join("half.csv"), "a,b\n")?;
            panic!("bug while writing");
        });
    });
    assert!(panicked.is_err());
    assert!(!out.exists());
    assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));

    // A failure over an earlier output keeps the earlier output as it was.
    storelab::experiment::output::write_dir_atomically(&out, |staging| {
        std::fs::write(staging.join("summary.json"), "{}\n")
    })
    .unwrap();
    let before = snapshot(&out);
    assert!(
        storelab::experiment::output::write_dir_atomically(&out, |_| Err(std::io::Error::other(
            "no"
        )))
        .is_err()
    );
    assert_eq!(snapshot(&out), before);
    assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));

    // From the command line: a scenario that fails leaves nothing.
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        read(Path::new(&minimal())).replace("seed: 7,", "seed: -7,"),
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    let o = storelab(&["run", s(&bad), "--out", s(&out2)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out2.exists());
    assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));
}

#[test]
fn report_writes_through_a_symlink_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let target = elsewhere.join("day.html");
    std::fs::write(&target, "old report").unwrap();
    let link = dir.path().join("report.html");
    std::os::unix::fs::symlink("elsewhere/day.html", &link).unwrap();
    let o = storelab(&["run", &minimal(), "--report", s(&link)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("elsewhere/day.html")
    );
    assert!(
        read(&target).contains("<svg"),
        "the target holds the report"
    );
    assert!(stray(&elsewhere).is_empty() && stray(dir.path()).is_empty());

    // A dangling link: the file it names is created, as a shell's `>` would.
    let dangling = dir.path().join("new.html");
    std::os::unix::fs::symlink("elsewhere/new-day.html", &dangling).unwrap();
    let o = storelab(&["run", &minimal(), "--report", s(&dangling)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&dangling).unwrap().is_symlink());
    assert!(read(&elsewhere.join("new-day.html")).contains("<svg"));

    // The library call used by the live view's "Save session" does the same.
    storelab::experiment::report::write(&link, "session").unwrap();
    assert_eq!(read(&target), "session");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
}

/// A character device node of the test's own (a second null device) in `dir`, where the test
/// may make one (as root). The system's /dev/null is never used as a target: a regression
/// would replace it for the whole machine.
fn device_node(dir: &Path) -> Option<PathBuf> {
    let node = dir.join("node");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status();
    if made.is_ok_and(|s| s.success()) {
        Some(node)
    } else {
        println!("skipping the device-node case: mknod is not permitted here (needs root)");
        None
    }
}

fn fifo(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    assert!(Command::new("mkfifo").arg(&p).status().unwrap().success());
    p
}

#[test]
fn report_never_replaces_a_device_fifo_or_folder() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path(), "fifo.html");
    let folder = dir.path().join("folder.html");
    std::fs::create_dir(&folder).unwrap();
    let fifo_link = dir.path().join("fifo-link.html");
    std::os::unix::fs::symlink("fifo.html", &fifo_link).unwrap();
    let mut targets = vec![fifo.clone(), folder.clone(), fifo_link.clone()];
    let node = device_node(dir.path());
    let node_link = dir.path().join("node-link.html");
    if let Some(node) = &node {
        std::os::unix::fs::symlink(node, &node_link).unwrap();
        targets.extend([node.clone(), node_link.clone()]);
    }
    for t in &targets {
        let o = storelab(&["run", &minimal(), "--report", s(t)]);
        assert_eq!(o.status.code(), Some(1), "{}: {}", t.display(), stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("replaces nothing else")
                && (err.contains("not a regular file") || err.contains("is a folder")),
            "{}: {err}",
            t.display()
        );
        let e = storelab::experiment::report::write(t, "x").unwrap_err();
        assert!(e.to_string().contains("replaces nothing else"), "{e}");
    }
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(std::fs::metadata(&folder).unwrap().is_dir());
    assert!(std::fs::symlink_metadata(&fifo_link).unwrap().is_symlink());
    if let Some(node) = &node {
        let kind = std::fs::metadata(node).unwrap().file_type();
        assert!(kind.is_char_device());
        assert!(std::fs::symlink_metadata(&node_link).unwrap().is_symlink());
    }
    assert!(stray(dir.path()).is_empty(), "{:?}", stray(dir.path()));
}

/// Runs storelab and fails the test if it has not finished within 30 s (instead of hanging).
fn storelab_within(args: &[&str]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("storelab {args:?} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Output {
        status: child.wait().unwrap(),
        stdout: vec![],
        stderr: vec![],
    };
    child.stdout.unwrap().read_to_end(&mut out.stdout).unwrap();
    child.stderr.unwrap().read_to_end(&mut out.stderr).unwrap();
    out
}

#[test]
fn inputs_that_are_not_small_regular_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("store.ron");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for args in [
        vec!["run", "/dev/zero"],
        vec!["validate", "/dev/zero"],
        vec!["validate", s(&fifo)],
        vec!["run", s(dir.path())],
    ] {
        let o = storelab_within(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(args[1]), "{args:?}: the file is named: {err}");
        assert!(
            err.contains("not a regular file") || err.contains("is a folder"),
            "{args:?}: {err}"
        );
    }

    let huge = dir.path().join("huge.ron");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(16 * 1024 * 1024 + 1).unwrap();
    let o = storelab_within(&["validate", s(&huge)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("huge.ron: is larger than 16 MB"),
        "{}",
        stderr(&o)
    );

    for base in ["/dev/zero", "store.ron"] {
        let variant = dir.path().join("variant.ron");
        std::fs::write(&variant, format!("(extends: \"{base}\", name: \"v\")")).unwrap();
        let o = storelab_within(&["validate", s(&variant)]);
        assert_eq!(o.status.code(), Some(2), "{base}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("variant.ron") && err.contains(&format!("`{base}` is not a regular file")),
            "{err}"
        );
    }
}

#[test]
fn extends_chains_are_followed_64_deep_and_no_deeper() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f0.ron"), read(Path::new(&minimal()))).unwrap();
    // f<i> extends f<i-1>: loading f<i> reads i + 1 files.
    for i in 1..10_000 {
        std::fs::write(
            dir.path().join(format!("f{i}.ron")),
            format!("(extends: \"f{}.ron\")", i - 1),
        )
        .unwrap();
    }
    let f = |i: usize| dir.path().join(format!("f{i}.ron"));
    let o = storelab_within(&["validate", s(&f(63))]);
    assert!(o.status.success(), "64 files: {}", stderr(&o));
    for i in [64, 9_999] {
        let o = storelab_within(&["validate", s(&f(i))]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("more than 64 scenarios extend one another")
                && err.contains(&format!("f{i}.ron -> ")),
            "the chain is named from the file given: {err}"
        );
    }
}

/// What a command left for the test: exit status and standard error.
fn with_stdout(args: &[&str], stdout: Stdio) -> (Option<i32>, String) {
    let o = Command::new(bin())
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (o.status.code(), stderr(&o))
}

fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

#[test]
fn a_closed_or_full_standard_output_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let m = minimal();
    let out = dir.path().join("out");
    let report = dir.path().join("r.html");
    let commands: Vec<Vec<&str>> = vec![
        vec!["run", &m, "--out", s(&out), "--report", s(&report)],
        vec!["validate", &m],
        vec!["compare", &m, &m, "-n", "2"],
        vec![
            "sweep",
            &m,
            "--set",
            "customers.arrival_multiplier=1,1.1",
            "-n",
            "2",
        ],
        vec!["run", "--help"],
    ];
    for args in &commands {
        // The reader went away: quiet, the work still done, status unchanged.
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&report);
        let (code, err) = with_stdout(args, closed_pipe());
        assert_eq!(code, Some(0), "{args:?} into a closed pipe: {err}");
        assert!(err.is_empty(), "{args:?} into a closed pipe: {err}");
        if args[0] == "run" && args.len() > 2 {
            assert!(out.join("summary.json").is_file() && report.is_file());
        }
        // A full disk: an error and status 1.
        let (code, err) = with_stdout(args, dev_full());
        assert_eq!(code, Some(1), "{args:?} into /dev/full: {err}");
        assert!(
            err.contains("error: cannot write standard output: No space left on device"),
            "{args:?} into /dev/full: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // Standard error full too, with bad input: still no panic (101), the status of the input
    // error.
    let o = Command::new(bin())
        .args(["run", "/nonexistent.ron"])
        .stdout(dev_full())
        .stderr(dev_full())
        .status()
        .unwrap();
    assert_eq!(o.code(), Some(2));
    let o = Command::new(bin())
        .args(["validate", &m])
        .stdout(dev_full())
        .stderr(dev_full())
        .status()
        .unwrap();
    assert_eq!(o.code(), Some(1));
}
