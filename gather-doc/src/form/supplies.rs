//! Supply registers: the totals a coordinator needs — how many of each item were pledged, are on
//! the road, arrived and were handed out, overall and per hospital — and the status workflow
//! (pledged → in transit → received → distributed) that moves a donation along.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::model::{FormDef, Supplies};

/// Quantities of one item (at one place), by status.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Quantities {
    /// The item: an option value, or `other:` and the text given for "other".
    pub item: String,
    /// Where to, when totals are per place.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub place: String,
    /// By status value (`""` when the form has no status).
    pub by_status: BTreeMap<String, f64>,
    pub total: f64,
}

/// Totals of a supply register, added up one response at a time.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Per item, in the order items were first seen.
    pub items: Vec<Quantities>,
    /// Per place and item.
    pub places: Vec<Quantities>,
    /// Responses counted.
    pub responses: usize,
}

impl Totals {
    /// Adds one response's answers (stored, validated).
    pub fn add(&mut self, supplies: &Supplies, answers: &Value) {
        let Some(item) = item_key(answers.get(&supplies.item)) else {
            return;
        };
        let Some(quantity) = answers.get(&supplies.quantity).and_then(Value::as_f64) else {
            return;
        };
        let status = answers
            .get(&supplies.status)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let place = answers
            .get(&supplies.place)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        self.responses += 1;
        bump(&mut self.items, &item, "", &status, quantity);
        if !place.is_empty() {
            bump(&mut self.places, &item, &place, &status, quantity);
        }
    }
}

fn bump(list: &mut Vec<Quantities>, item: &str, place: &str, status: &str, quantity: f64) {
    let at = match list.iter().position(|q| q.item == item && q.place == place) {
        Some(at) => at,
        None => {
            list.push(Quantities {
                item: item.to_owned(),
                place: place.to_owned(),
                ..Quantities::default()
            });
            list.len() - 1
        }
    };
    let entry = &mut list[at];
    *entry.by_status.entry(status.to_owned()).or_default() += quantity;
    entry.total += quantity;
}

/// An item answer as a key: the option value, or `other:` and the text for "other".
fn item_key(answer: Option<&Value>) -> Option<String> {
    match answer? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => {
            let value = o.get("value")?.as_str()?;
            Some(match o.get("text").and_then(Value::as_str) {
                Some(text) => format!("{value}:{}", text.trim()),
                None => value.to_owned(),
            })
        }
        _ => None,
    }
}

/// Whether `status` is a stage of `form`'s workflow.
pub fn is_stage(form: &FormDef, status: &str) -> bool {
    form.supplies
        .as_ref()
        .and_then(|s| form.question(&s.status))
        .is_some_and(|q| q.choice(status).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::templates::template;
    use serde_json::json;

    #[test]
    fn totals_add_up_per_item_status_and_hospital() {
        let form = template("supply-donation", "zh").unwrap();
        let supplies = form.supplies.clone().unwrap();
        let mut totals = Totals::default();
        for (item, quantity, status, hospital) in [
            (json!("n95_mask"), 1000, "pledged", "武汉协和医院"),
            (json!("n95_mask"), 500, "in_transit", "武汉协和医院"),
            (json!("n95_mask"), 200, "pledged", "金银潭医院"),
            (
                json!({"value": "other", "text": "护目镜支架"}),
                50,
                "received",
                "金银潭医院",
            ),
        ] {
            totals.add(
                &supplies,
                &json!({"item": item, "quantity": quantity, "status": status, "hospital": hospital}),
            );
        }
        assert_eq!(totals.responses, 4);
        let masks = &totals.items[0];
        assert_eq!((masks.item.as_str(), masks.total), ("n95_mask", 1700.0));
        assert_eq!(masks.by_status["pledged"], 1200.0);
        assert_eq!(masks.by_status["in_transit"], 500.0);
        assert_eq!(totals.items[1].item, "other:护目镜支架");
        let union = totals
            .places
            .iter()
            .find(|q| q.place == "武汉协和医院")
            .unwrap();
        assert_eq!(union.total, 1500.0);
        assert!(is_stage(&form, "in_transit"));
        assert!(!is_stage(&form, "lost"));
    }
}
