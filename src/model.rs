//! The model file and prediction. A model is plain serde JSON: format version, feature
//! names, standardisation, weights, intercept, threshold and what it was trained on.
//! Prediction is the model's own dot product and sigmoid, so a loaded file is all that is
//! needed; loading checks that the file matches this build before anything is predicted.

use crate::error::{Error, Result};
use crate::features::FeatureSpace;
use crate::segment::Page;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The default model, trained as the README describes, embedded in the binary.
pub const DEFAULT_MODEL_JSON: &str = include_str!("../models/default.json");

/// What a model was trained on and with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainingInfo {
    /// The corpora, as given on the command line.
    pub data: Vec<String>,
    /// Pages trained on.
    pub pages: usize,
    /// Blocks trained on.
    pub blocks: usize,
    /// Of which content.
    pub content_blocks: usize,
    /// L2 penalty (linfa-logistic's `alpha`).
    pub alpha: f64,
    /// Iteration cap of the solver.
    pub max_iterations: u64,
    /// Seed recorded for reproducibility.
    pub seed: u64,
    /// Version of boilerclass that trained it.
    pub trained_by: String,
}

/// A model file's contents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelFile {
    /// Must equal [`FORMAT_VERSION`].
    pub format_version: u32,
    /// One name per column; must equal this build's feature names for the vocabulary.
    pub feature_names: Vec<String>,
    /// Class/id token vocabulary (`s:NAME`, `a:NAME`).
    pub vocab: Vec<String>,
    /// Column means used for standardisation.
    pub mean: Vec<f64>,
    /// Column standard deviations used for standardisation.
    pub scale: Vec<f64>,
    /// One weight per column, on standardised values.
    pub weights: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Probability at or above which a block is content.
    pub threshold: f64,
    /// Provenance.
    pub training: TrainingInfo,
}

/// A validated model, ready to predict.
#[derive(Debug, Clone)]
pub struct Model {
    file: ModelFile,
    space: FeatureSpace,
}

/// One feature's share of a block's score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Feature name.
    pub feature: String,
    /// Its raw value.
    pub value: f64,
    /// Weight × standardised value: what it added to the log-odds of content.
    pub weight_x_value: f64,
}

impl Model {
    /// Validates a model file against this build.
    pub fn from_file(file: ModelFile) -> Result<Self> {
        if file.format_version != FORMAT_VERSION {
            return Err(Error::ModelVersion {
                found: file.format_version,
                expected: FORMAT_VERSION,
            });
        }
        let space = FeatureSpace::new(file.vocab.clone());
        let expected = space.names();
        let n = expected.len();
        for (what, len) in [
            ("feature_names", file.feature_names.len()),
            ("mean", file.mean.len()),
            ("scale", file.scale.len()),
            ("weights", file.weights.len()),
        ] {
            if len != n {
                return Err(Error::ModelInvalid(format!(
                    "{what} has {len} entries, this build with a vocabulary of {} tokens expects {n}",
                    file.vocab.len()
                )));
            }
        }
        if let Some((i, (got, want))) = file
            .feature_names
            .iter()
            .zip(&expected)
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            return Err(Error::ModelInvalid(format!(
                "feature {i} is named {got:?} in the file but {want:?} in this build"
            )));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if !finite(&file.mean) || !finite(&file.weights) || !file.intercept.is_finite() {
            return Err(Error::ModelInvalid(
                "mean, weights or intercept hold NaN or infinite values".into(),
            ));
        }
        if let Some(i) = file.scale.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::ModelInvalid(format!(
                "scale of feature {:?} is {}, it must be finite and positive",
                file.feature_names[i], file.scale[i]
            )));
        }
        if !(file.threshold > 0.0 && file.threshold < 1.0) {
            return Err(Error::ModelInvalid(format!(
                "threshold is {}, it must lie strictly between 0 and 1",
                file.threshold
            )));
        }
        Ok(Model { file, space })
    }

    /// Parses and validates model JSON.
    pub fn from_json(json: &str) -> Result<Self> {
        Model::from_file(serde_json::from_str(json)?)
    }

    /// Loads and validates a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let json = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Model::from_json(&json)
    }

    /// The default model embedded in the binary.
    pub fn embedded() -> Result<Self> {
        Model::from_json(DEFAULT_MODEL_JSON)
    }

    /// Writes the model as JSON, atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(&self.file)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json + "\n").map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }

    /// The file contents.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// The feature space the model reads.
    pub fn space(&self) -> &FeatureSpace {
        &self.space
    }

    /// The stored decision threshold.
    pub fn threshold(&self) -> f64 {
        self.file.threshold
    }

    /// Feature matrix of a page, one row per block.
    pub fn features(&self, page: &Page) -> Array2<f64> {
        self.space.extract(page)
    }

    /// Probability of content for each block of `page`.
    pub fn predict(&self, page: &Page) -> Vec<f64> {
        self.predict_features(&self.features(page))
    }

    /// Probability of content for each row of a feature matrix.
    pub fn predict_features(&self, x: &Array2<f64>) -> Vec<f64> {
        x.rows()
            .into_iter()
            .map(|row| {
                let mut z = self.file.intercept;
                for (j, v) in row.iter().enumerate() {
                    z += self.file.weights[j] * (v - self.file.mean[j]) / self.file.scale[j];
                }
                sigmoid(z)
            })
            .collect()
    }

    /// The `top` features that weighed most (by |weight × standardised value|) for a row.
    pub fn explain_row(&self, x: &Array2<f64>, row: usize, top: usize) -> Vec<Contribution> {
        let names = self.space.names();
        let mut parts: Vec<Contribution> = x
            .row(row)
            .iter()
            .enumerate()
            .map(|(j, &v)| Contribution {
                feature: names[j].clone(),
                value: v,
                weight_x_value: self.file.weights[j] * (v - self.file.mean[j]) / self.file.scale[j],
            })
            .collect();
        parts.sort_by(|a, b| b.weight_x_value.abs().total_cmp(&a.weight_x_value.abs()));
        parts.truncate(top);
        parts
    }
}

/// The logistic function, clamped so that extreme scores stay finite.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-500.0, 500.0)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads() {
        let m = Model::embedded().unwrap();
        assert_eq!(m.file().weights.len(), m.space().len());
    }

    #[test]
    fn refuses_wrong_version_lengths_and_nan() {
        let good = Model::embedded().unwrap().file().clone();
        let mut f = good.clone();
        f.format_version = 99;
        assert!(matches!(
            Model::from_file(f),
            Err(Error::ModelVersion { found: 99, .. })
        ));
        let mut f = good.clone();
        f.weights.pop();
        assert!(Model::from_file(f).unwrap_err().to_string().contains("weights has"));
        let mut f = good.clone();
        f.weights[0] = f64::NAN;
        assert!(Model::from_file(f).is_err());
        let mut f = good.clone();
        f.feature_names[0] = "made_up".into();
        assert!(Model::from_file(f).unwrap_err().to_string().contains("made_up"));
        let mut f = good;
        f.threshold = 1.5;
        assert!(Model::from_file(f).is_err());
        assert!(matches!(Model::from_json("{\"format"), Err(Error::ModelParse(_))));
    }
}
