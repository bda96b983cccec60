//! The window itself: a screenshot taken under Xvfb with Mesa's software Vulkan must show the
//! store (not blank; shelf, lane and customer colours present).
#![cfg(feature = "gui")]

mod common;

use std::process::Command;

use common::*;

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn screenshot_shows_the_store_at_noon() {
    if !have("xvfb-run") {
        if std::env::var_os("STORELAB_SKIP_GUI_TESTS").is_some() {
            eprintln!("skipped: STORELAB_SKIP_GUI_TESTS is set");
            return;
        }
        panic!(
            "xvfb-run not found: apt-get install xvfb xauth mesa-vulkan-drivers (tools/test-deps installs them), or set STORELAB_SKIP_GUI_TESTS=1"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("noon.png");
    let scenario = scenario_path("supermarket.ron");
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x1000x24"])
        .arg(bin())
        .args([
            "gui",
            scenario.to_str().unwrap(),
            "--at",
            "12:00",
            "--screenshot",
        ])
        .arg(&shot)
        .output()
        .unwrap();
    assert!(
        o.status.success() && shot.exists(),
        "storelab gui failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    assert!(
        info.width >= 1000 && info.height >= 700,
        "{}×{}",
        info.width,
        info.height
    );
    let near = |c: [u8; 3], t: [u8; 3]| {
        c.iter()
            .zip(t)
            .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() <= 30)
    };
    let count = |t: [u8; 3]| pixels.iter().filter(|p| near(**p, t)).count();
    let distinct: std::collections::BTreeSet<[u8; 3]> = pixels
        .iter()
        .map(|p| [p[0] & 0xF0, p[1] & 0xF0, p[2] & 0xF0])
        .collect();
    assert!(
        distinct.len() > 20,
        "the picture is nearly blank ({} colours)",
        distinct.len()
    );
    let shelves = count([205, 170, 110]);
    let lanes = count([30, 70, 200]) + count([90, 170, 230]) + count([150, 150, 160]);
    let customers = count([30, 110, 220])
        + count([240, 150, 20])
        + count([220, 40, 40])
        + count([150, 50, 200]);
    assert!(shelves > 5_000, "shelf colour: {shelves} pixels");
    assert!(lanes > 300, "lane colours: {lanes} pixels");
    assert!(customers > 200, "customer colours: {customers} pixels");
}

#[test]
fn without_a_display_or_with_a_time_outside_the_day_the_view_explains_itself() {
    let scenario = scenario_path("minimal.ron");
    let gui = |args: &[&str]| {
        Command::new(bin())
            .arg("gui")
            .arg(&scenario)
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .output()
            .unwrap()
    };
    let o = gui(&[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot open the window"), "{err}");
    assert!(err.contains("DISPLAY"), "{err}");
    assert!(err.contains("xvfb-run"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // A display that nobody serves.
    let o = Command::new(bin())
        .arg("gui")
        .arg(&scenario)
        .env("DISPLAY", ":987")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no X server answers at DISPLAY=:987"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // minimal.ron is open 08:00–12:00: the time is refused before any window is needed.
    for at in ["07:59", "25:00"] {
        let o = gui(&["--at", at, "--screenshot", "x.png"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("outside the simulated day"), "{err}");
        assert!(err.contains("08:00:00 – 12:00:00"), "{err}");
    }
}
