//! What every generated select enum is: a closed list of wire strings with Rust names.

use std::fmt;
use std::hash::Hash;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::UnknownOption;

/// A select parameter's options as a type (`kling_3_0::AspectRatio`, `ClipDuration` …).
/// Each generated enum implements it, and `TryFrom<&str>` / `FromStr`, so code can list,
/// print and parse the options of any model's select without knowing which it is.
///
/// ```
/// use rivya_models::SelectOption;
/// use rivya_models::kling_3_0::AspectRatio;
///
/// fn menu<T: SelectOption>() -> String {
///     format!("{}: {}", T::KEY, T::OPTIONS.join(" | "))
/// }
/// assert_eq!(menu::<AspectRatio>(), "aspect_ratio: 16:9 | 9:16 | 1:1");
/// assert_eq!(AspectRatio::try_from("9:16"), Ok(AspectRatio::R9x16));
/// assert!(AspectRatio::try_from("2:1").is_err());
/// ```
pub trait SelectOption:
    Copy
    + Eq
    + Hash
    + fmt::Debug
    + fmt::Display
    + FromStr<Err = UnknownOption>
    + for<'a> TryFrom<&'a str, Error = UnknownOption>
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The parameter's wire key (`aspect_ratio`).
    const KEY: &'static str;
    /// Every option, in page order.
    const ALL: &'static [Self];
    /// The wire value of every option, in page order.
    const OPTIONS: &'static [&'static str];

    /// The wire value.
    fn wire(self) -> &'static str;
}
