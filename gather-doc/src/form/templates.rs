//! The template gallery: ready-made forms for the jobs of February 2020, in Chinese and
//! English. `POST /api/docs` with `{"template": name}` creates a form from one.

use super::alerts::{AlertRule, AlertTest};
use super::model::{
    Bilingual, Choice, FormDef, Frequency, Question, QuestionType as T, RosterFields, ShowIf,
    Supplies,
};

/// Every template's name, in gallery order.
pub const NAMES: [&str; 6] = [
    "health-checkin",
    "return-to-school",
    "supply-donation",
    "supply-request",
    "volunteer",
    "blank",
];

/// The template called `name`, with its description in `lang` (`"zh"` or `"en"`).
pub fn template(name: &str, lang: &str) -> Option<FormDef> {
    let (title, description, questions) = match name {
        "health-checkin" => health_checkin(),
        "return-to-school" => return_to_school(),
        "supply-donation" => supply_donation(),
        "supply-request" => supply_request(),
        "volunteer" => volunteer(),
        "blank" => (
            Bilingual::new("未命名表单", "Untitled form"),
            Bilingual::default(),
            Vec::new(),
        ),
        _ => return None,
    };
    let description = description.get(lang);
    let mut form = FormDef {
        title,
        description: description
            .split('\n')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        questions,
        ..FormDef::default()
    };
    if name == "health-checkin" || name == "return-to-school" {
        // A student on the roster answers as themselves: id, name and class.
        form.roster_fields = Some(RosterFields {
            id: "student_id".into(),
            name: "name".into(),
            group: "class".into(),
        });
    }
    let supplies = |status: &str| Supplies {
        item: "item".into(),
        quantity: "quantity".into(),
        place: "hospital".into(),
        status: status.into(),
    };
    match name {
        "supply-donation" => form.supplies = Some(supplies("status")),
        "supply-request" => form.supplies = Some(supplies("")),
        _ => {}
    }
    if name == "health-checkin" {
        form.frequency = Frequency::Daily;
        form.alerts = vec![
            AlertRule::new(
                "temperature",
                AlertTest::AtLeast { at_least: 37.3 },
                "发热（≥37.3 °C）",
                "Fever (37.3 °C or more)",
            ),
            AlertRule::new(
                "symptoms",
                AlertTest::AnyExcept {
                    any_except: vec!["none".into()],
                },
                "有症状",
                "Symptoms",
            ),
            AlertRule::new(
                "contact",
                AlertTest::AnyOf {
                    any_of: vec!["yes".into()],
                },
                "接触过病例",
                "Contact with a case",
            ),
        ];
    }
    Some(form)
}

fn yes_no_condition(question: &str, answer: &str) -> ShowIf {
    ShowIf::Answer {
        question: question.into(),
        one_of: vec![answer.into()],
    }
}

type Parts = (Bilingual, Bilingual, Vec<Question>);

fn health_checkin() -> Parts {
    (
        Bilingual::new("每日健康打卡", "Daily health check-in"),
        Bilingual::new(
            "请每天上午 9:30 前填写。如有发热（≥37.3 °C）或其他症状，请同时联系班主任。",
            "Please fill this in before 9:30 every morning. If you have a fever (37.3 °C or more) or other symptoms, also tell your class teacher.",
        ),
        vec![
            Question::new("name", T::Text, "姓名", "Name").required(),
            Question::new("student_id", T::Text, "学号", "Student ID").required(),
            Question::new("class", T::Text, "班级", "Class").required(),
            Question::new("temperature", T::Number, "体温（°C）", "Temperature (°C)")
                .required()
                .with_range(35.0, 42.0, 1)
                .with_help("请填写今天早上测量的腋下体温，保留一位小数", "This morning's temperature, one decimal place"),
            Question::new("symptoms", T::MultipleChoice, "今日症状", "Symptoms today")
                .required()
                .with_options(vec![
                    Choice::new("fever", "发热", "Fever"),
                    Choice::new("cough", "咳嗽", "Cough"),
                    Choice::new("fatigue", "乏力", "Fatigue"),
                    Choice::new("sore_throat", "咽痛", "Sore throat"),
                    Choice::new("none", "无", "None").exclusive(),
                ]),
            Question::new("district", T::Region, "目前所在地区", "Where you are now").required(),
            Question::new(
                "contact",
                T::YesNo,
                "是否接触过确诊或疑似病例",
                "Contact with a confirmed or suspected case",
            )
            .required(),
            Question::new("contact_details", T::LongText, "接触情况说明", "Details of the contact")
                .required()
                .shown_if(yes_no_condition("contact", "yes")),
            Question::new("notes", T::LongText, "备注", "Notes"),
        ],
    )
}

fn return_to_school() -> Parts {
    (
        Bilingual::new("返校登记", "Return-to-school registration"),
        Bilingual::new(
            "请在返校前填写，以便学校安排返校时间和健康观察。\n如行程或健康状况有变化，请及时联系班主任。",
            "Please fill this in before you come back, so the school can plan arrivals and health monitoring.\nIf your travel plans or health change, tell your class teacher straight away.",
        ),
        vec![
            Question::new("about", T::Section, "基本信息", "About you"),
            Question::new("name", T::Text, "姓名", "Name").required(),
            Question::new("student_id", T::Text, "学号", "Student ID").required(),
            Question::new("class", T::Text, "班级", "Class").required(),
            Question::new("phone", T::Phone, "联系电话", "Contact phone").required(),
            Question::new("travel", T::Section, "行程与健康", "Travel and health"),
            Question::new(
                "travelled",
                T::YesNo,
                "近 14 天是否离开过所在城市",
                "Have you left your city in the last 14 days?",
            )
            .required(),
            Question::new("places_visited", T::LongText, "去过的地方", "Places visited")
                .required()
                .with_help(
                    "请按时间顺序填写城市和日期",
                    "List the cities and dates, in order",
                )
                .shown_if(yes_no_condition("travelled", "yes")),
            Question::new("health_code", T::SingleChoice, "健康码颜色", "Health code colour")
                .required()
                .with_options(vec![
                    Choice::new("green", "绿码", "Green"),
                    Choice::new("yellow", "黄码", "Yellow"),
                    Choice::new("red", "红码", "Red"),
                ]),
            Question::new(
                "health_code_photo",
                T::Photo,
                "健康码截图",
                "Health code screenshot",
            )
            .with_help(
                "截图时请包含姓名和更新时间",
                "Include your name and the time it was updated",
            ),
            Question::new("arrival_date", T::Date, "计划返校日期", "Planned arrival date")
                .required(),
            Question::new("notes", T::LongText, "备注", "Notes"),
        ],
    )
}

/// The supplies hospitals ask for and donors give, shared by the donation and request forms.
fn supply_items() -> Vec<Choice> {
    vec![
        Choice::new("n95_mask", "N95口罩", "N95 masks"),
        Choice::new("surgical_mask", "医用外科口罩", "Surgical masks"),
        Choice::new("protective_suit", "防护服", "Protective suits"),
        Choice::new("goggles", "护目镜", "Goggles"),
        Choice::new("gloves", "医用手套", "Medical gloves"),
        Choice::new("disinfectant", "消毒液", "Disinfectant"),
        Choice::new("thermometer", "体温计", "Thermometers"),
        Choice::new("other", "其他", "Other").other(),
    ]
}

/// A whole-number quantity of at least one, with no upper limit.
fn quantity(id: &str, zh: &str, en: &str) -> Question {
    Question {
        min: Some(1.0),
        decimals: Some(0),
        ..Question::new(id, T::Number, zh, en)
    }
}

fn supply_donation() -> Parts {
    (
        Bilingual::new("捐赠物资登记", "Supply donation registration"),
        Bilingual::new(
            "请登记每一批捐赠物资，一种物资填写一份。\n医疗物资请注明执行标准，方便医院查验。",
            "Please register each donated batch, one form per item.\nFor medical supplies, give the standard they meet so the hospital can check them.",
        ),
        vec![
            Question::new("donor", T::Text, "捐赠人（姓名或单位）", "Donor (name or organisation)")
                .required(),
            Question::new("phone", T::Phone, "联系电话", "Contact phone").required(),
            Question::new("item", T::SingleChoice, "物资名称", "Item")
                .required()
                .with_options(supply_items()),
            quantity("quantity", "数量", "Quantity").required(),
            Question::new("unit", T::SingleChoice, "单位", "Unit")
                .required()
                .with_options(vec![
                    Choice::new("piece", "个/只", "Pieces"),
                    Choice::new("box", "箱", "Boxes"),
                    Choice::new("bottle", "瓶", "Bottles"),
                    Choice::new("set", "套", "Sets"),
                ]),
            Question::new("standard", T::Text, "执行标准", "Standard")
                .with_help("例如 GB 19083", "For example GB 19083"),
            Question::new("hospital", T::Text, "捐往医院", "Destination hospital"),
            Question::new("status", T::SingleChoice, "物流状态", "Logistics status")
                .required()
                .with_options(vec![
                    Choice::new("pledged", "已认捐", "Pledged"),
                    Choice::new("in_transit", "运输中", "In transit"),
                    Choice::new("received", "已签收", "Received"),
                    Choice::new("distributed", "已发放", "Distributed"),
                ]),
            Question::new("tracking_number", T::Text, "快递单号", "Tracking number"),
        ],
    )
}

fn supply_request() -> Parts {
    (
        Bilingual::new("医院物资需求", "Hospital supply request"),
        Bilingual::new(
            "请医院按物资逐项填写需求，一种物资填写一份。\n我们会尽快对接捐赠方并与联系人确认。",
            "Hospitals: please fill this in once for each item you need.\nWe will match you with donors and confirm with your contact person.",
        ),
        vec![
            Question::new("hospital", T::Text, "医院名称", "Hospital").required(),
            Question::new("department", T::Text, "科室", "Department"),
            Question::new("item", T::SingleChoice, "所需物资", "Item needed")
                .required()
                .with_options(supply_items()),
            quantity("quantity", "需求数量", "Quantity needed").required(),
            Question::new("urgency", T::SingleChoice, "紧急程度", "Urgency")
                .required()
                .with_options(vec![
                    Choice::new("urgent", "紧急（24小时内）", "Urgent (within 24 hours)"),
                    Choice::new("soon", "较急（3天内）", "Soon (within 3 days)"),
                    Choice::new("normal", "一般", "Normal"),
                ]),
            Question::new("contact_name", T::Text, "联系人", "Contact person").required(),
            Question::new("phone", T::Phone, "联系电话", "Contact phone").required(),
            Question::new("address", T::LongText, "收货地址", "Delivery address").required(),
        ],
    )
}

fn volunteer() -> Parts {
    (
        Bilingual::new("志愿者报名", "Volunteer sign-up"),
        Bilingual::new(
            "感谢你愿意出一份力！我们会根据你的技能和时间联系你安排任务。",
            "Thank you for offering to help! We will contact you with tasks that fit your skills and time.",
        ),
        vec![
            Question::new("name", T::Text, "姓名", "Name").required(),
            Question::new("phone", T::Phone, "手机号码", "Phone").required(),
            Question::new("district", T::Region, "所在地区", "District").required(),
            Question::new("skills", T::MultipleChoice, "技能", "Skills")
                .required()
                .with_options(vec![
                    Choice::new("driving", "驾驶", "Driving"),
                    Choice::new("medical", "医疗护理", "Medical care"),
                    Choice::new("translation", "翻译", "Translation"),
                    Choice::new("logistics", "物流搬运", "Logistics and loading"),
                    Choice::new("psychological", "心理疏导", "Psychological support"),
                    Choice::new("other", "其他", "Other").other(),
                ]),
            Question::new("availability", T::MultipleChoice, "可服务时间", "Availability")
                .required()
                .with_options(vec![
                    Choice::new("weekdays", "工作日", "Weekdays"),
                    Choice::new("weekends", "周末", "Weekends"),
                    Choice::new("evenings", "晚上", "Evenings"),
                ]),
            Question::new("own_vehicle", T::YesNo, "是否有自用车辆", "Do you have your own vehicle?"),
            Question::new(
                "healthy",
                T::YesNo,
                "健康声明：本人近 14 天内无发热及其他症状",
                "Health declaration: I have had no fever or other symptoms in the last 14 days",
            )
            .required(),
            Question::new("emergency", T::Section, "紧急联系人", "Emergency contact"),
            Question::new("emergency_name", T::Text, "紧急联系人姓名", "Emergency contact name")
                .required(),
            Question::new("emergency_phone", T::Phone, "紧急联系人电话", "Emergency contact phone")
                .required(),
        ],
    )
}
