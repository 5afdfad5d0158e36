//! Reading the inputs and writing the outputs of a command: scenario files, output paths checked against the
//! inputs, standard output, exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Read a scenario file whose command writes `outputs` (flag, path): refused (exit 2) before anything is written when
/// an output is one of the files read or two outputs name the same file.
pub(crate) fn read_scenario(path: &Path, outputs: &[(&str, Option<&Path>)]) -> Result<(lambdasim::Scenario, lambdasim::Model), ExitCode> {
    let l = read_loaded(path)?;
    check_outputs(&l.inputs, outputs)?;
    Ok((l.scenario, l.model))
}

/// An output path as it will be: canonical when the file exists, else its directory's canonical path joined with
/// its name (none when the directory does not exist either: then it cannot be an input).
pub(crate) fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Some(c);
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

/// Refuses (exit 2), before anything is written, an output that is one of the `inputs` (compared as canonical
/// paths, so `./x.json`, a symlink or `../dir/x.json` are caught) and two outputs naming the same file. A device
/// (`/dev/null`) may be named by several outputs.
pub(crate) fn check_outputs(inputs: &[PathBuf], outputs: &[(&str, Option<&Path>)]) -> Result<(), ExitCode> {
    let ins: Vec<(PathBuf, &PathBuf)> = inputs.iter().filter_map(|p| Some((std::fs::canonicalize(p).ok()?, p))).collect();
    let mut seen: Vec<(PathBuf, &str, &Path)> = vec![];
    for (flag, p) in outputs.iter().filter_map(|(f, p)| Some((*f, (*p)?))) {
        let Some(r) = resolved(p) else { continue };
        if let Some((_, i)) = ins.iter().find(|(c, _)| *c == r) {
            return Err(usage(format!(
                "{flag} {}: that is {}, an input of this command; refusing to write over it (choose another file)",
                p.display(),
                i.display()
            )));
        }
        if std::fs::metadata(&r).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            continue;
        }
        if let Some((_, f, q)) = seen.iter().find(|(c, _, _)| *c == r) {
            return Err(usage(format!("{flag} {} and {f} {} name the same file; give each output its own file", p.display(), q.display())));
        }
        seen.push((r, flag, p));
    }
    Ok(())
}

/// The files `--sinks DIR` writes, as outputs for [`check_outputs`].
pub(crate) fn sink_outputs(dir: Option<&Path>, model: &lambdasim::Model) -> Vec<PathBuf> {
    dir.map(|d| lambdasim::observe::sinks::SinkWriter::paths(d, model)).unwrap_or_default()
}

/// Read a scenario file, with the template it names expanded.
pub(crate) fn read_loaded(path: &Path) -> Result<lambdasim::model::Loaded, ExitCode> {
    if let Err(e) = std::fs::metadata(path) {
        eprintln!("error: cannot read {}: {e}", path.display());
        return Err(ExitCode::from(2));
    }
    lambdasim::read_file(path).map_err(|errs| {
        eprintln!("{}: invalid scenario", path.display());
        eprintln!("{errs}");
        ExitCode::from(2)
    })
}

/// `lambdasim run`'s scenario, refused before anything is written when an output (`outputs`, and each file
/// `--sinks DIR` writes) is one of the files read or two outputs name the same file.
pub(crate) fn read_run_scenario(
    scenario: &Path,
    outputs: &[(&str, Option<&Path>)],
    sinks: Option<&Path>,
) -> Result<lambdasim::Model, ExitCode> {
    let l = read_loaded(scenario)?;
    let sink_files = sink_outputs(sinks, &l.model);
    let all: Vec<(&str, Option<&Path>)> =
        outputs.iter().copied().chain(sink_files.iter().map(|p| ("--sinks", Some(p.as_path())))).collect();
    check_outputs(&l.inputs, &all)?;
    Ok(l.model)
}

/// Writes to standard output. A reader that has gone away (`lambdasim schema | head -1`) ends the output quietly, as
/// cargo's tools do; any other failure (a full device, a file-size limit) is an error, never a silent success.
pub(crate) fn emit(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(usage(format!("cannot write the output to standard output: {e}"))),
    }
}

/// Prints an error (cut in the middle when it echoes a long value) and gives exit code 2.
pub(crate) fn usage(msg: String) -> ExitCode {
    eprintln!("error: {}", lambdasim::vocab::clip_message(&msg));
    ExitCode::from(2)
}

pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), ExitCode> {
    std::fs::write(path, text).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        ExitCode::from(2)
    })
}
