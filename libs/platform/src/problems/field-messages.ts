/**
 * Russian for the messages of field errors (`errors[].message`), keyed by the validation
 * constraint that makes them (class-validator's name, or the rule of a check written in code).
 * Each entry turns the English message, which names the field and the values involved, into
 * Russian by its pattern. problem-catalogue.spec.ts checks that every message a DTO of the code
 * base can give has an entry.
 */
export const FIELD_MESSAGES: Record<string, [RegExp, string][]> = {
  /* ---- class-validator's own messages ---- */
  whitelistValidation: [[/^property (\S+) should not exist$/, 'поле $1 не предусмотрено']],
  nestedValidation: [
    [/^each value in nested property (\S+) must be either object or array$/, 'каждое значение вложенного поля $1 должно быть объектом или массивом'],
    [/^nested property (\S+) must be either object or array$/, 'вложенное поле $1 должно быть объектом или массивом'],
  ],
  isDefined: [[/^(\S+) should not be null or undefined$/, '$1 обязательно']],
  isIn: [
    [/^each value in (\S+) must be one of the following values: (.*)$/, 'каждое значение $1 должно быть одним из: $2'],
    [/^(\S+) must be one of the following values: (.*)$/, '$1 должно быть одним из: $2'],
    [/^(\S+) accepts only: (.*)$/, '$1 принимает только: $2'],
  ],
  isInt: [
    [/^(\S+) must be an integer number$/, '$1 должно быть целым числом'],
    [/^(\S+) must be a whole number of hours$/, '$1 должно быть целым числом часов'],
    [/^(\S+) must be a whole number from (\d+) to (\d+)$/, '$1 должно быть целым числом от $2 до $3'],
    [/^(\S+) must be a whole number of days$/, '$1 должно быть целым числом дней'],
  ],
  isNumber: [[/^(\S+) must be a number conforming to the specified constraints$/, '$1 должно быть числом']],
  min: [[/^(\S+) must not be less than (\S+)$/, '$1 должно быть не меньше $2']],
  max: [[/^(\S+) must not be greater than (\S+)$/, '$1 должно быть не больше $2']],
  isString: [
    [/^each value in (\S+) must be a string$/, 'каждое значение $1 должно быть строкой'],
    [/^(\S+) must be a string$/, '$1 должно быть строкой'],
  ],
  isBoolean: [[/^(\S+) must be a boolean value$/, '$1 должно быть логическим значением (true или false)']],
  isArray: [[/^(\S+) must be an array$/, '$1 должно быть массивом']],
  isObject: [[/^(\S+) must be an object$/, '$1 должно быть объектом']],
  isUuid: [
    [/^(\S+) must be a UUID$/, '$1 должно быть UUID'],
    [/^(\S+) must be the id of a declared emergency \(a UUID\)$/, '$1 должно быть идентификатором объявленной чрезвычайной ситуации (UUID)'],
  ],
  isNotEmpty: [[/^(\S+) should not be empty$/, '$1 не должно быть пустым']],
  maxLength: [[/^(\S+) must be shorter than or equal to (\d+) characters$/, '$1 должно быть не длиннее $2 символов']],
  minLength: [[/^(\S+) must be longer than or equal to (\d+) characters$/, '$1 должно быть не короче $2 символов']],
  arrayMaxSize: [[/^(\S+) must contain no more than (\d+) elements$/, '$1 должно содержать не более $2 элементов']],
  arrayMinSize: [[/^(\S+) must contain at least (\d+) elements$/, '$1 должно содержать не менее $2 элементов']],
  arrayUnique: [[/^All (\S+)'s elements must be unique$/, 'элементы $1 не должны повторяться']],
  isIso8601: [
    [/^(\S+) must be a valid ISO 8601 date string$/, '$1 должно быть датой ISO 8601'],
    [/^(\S+) must be a real ISO 8601 timestamp$/, '$1 должно быть существующим моментом времени ISO 8601'],
    [/^(\S+) must be a real date$/, '$1 должно быть существующей датой'],
    [/^must be an ISO 8601 date or timestamp$/, 'должно быть датой или моментом времени ISO 8601'],
  ],
  isCountryCode: [
    [
      /^(\S+) must be an ISO 3166-1 alpha-2 code, XX \(stateless\) or ZZ \(unknown\)$/,
      '$1 должно быть кодом ISO 3166-1 alpha-2, XX (лицо без гражданства) или ZZ (неизвестно)',
    ],
  ],
  isBorderCrossingPoint: [
    [/^(\S+) must be a border crossing point code from GET \/v1\/reference$/, '$1 должно быть кодом пункта пересечения границы из GET /v1/reference'],
  ],
  isEmpty: [
    [/^(\S+): version 2 is signed by batch \(batch, proof\), not one by one$/, '$1: версия 2 подписывается пакетом (batch, proof), а не по одному событию'],
  ],
  matches: [
    [/^each value in (\S+) must match (.*) regular expression$/, 'каждое значение $1 должно соответствовать выражению $2'],
    [/^(\S+) must match (.*) regular expression$/, '$1 должно соответствовать выражению $2'],
    [/^(\S+) must be a cursor given by the feed \(a decimal number\)$/, '$1 должно быть курсором, выданным лентой (десятичное число)'],
    [/^(\S+) must be a date YYYY-MM-DD$/, '$1 должно быть датой ГГГГ-ММ-ДД'],
    [/^(\S+) must be YYYY-MM-DD$/, '$1 должно быть датой ГГГГ-ММ-ДД'],
    [/^(\S+) must be a timestamp with a time zone offset$/, '$1 должно быть моментом времени со смещением часового пояса'],
    [/^(\S+) must be a UTC timestamp on the hour, e\.g\. (\S+)$/, '$1 должно быть моментом UTC ровно в начале часа, например $2'],
    [/^(\S+) must be an ISO 3166-2 code such as (\S+)$/, '$1 должно быть кодом ISO 3166-2, например $2'],
    [/^(\S+) must be printable text$/, '$1 должно быть печатным текстом'],
    [/^reason must say why the emergency is declared or ended$/, 'reason должно объяснять, почему чрезвычайная ситуация объявлена или завершена'],
    [/^reason must say why the emergency terms are activated$/, 'reason должно объяснять, почему вводятся условия на случай чрезвычайной ситуации'],
    [/^(\S+) must be HH:MM \(UTC\)$/, '$1 должно быть временем ЧЧ:ММ (UTC)'],
    [/^(\S+) must look like (\S+)$/, '$1 должно иметь вид $2'],
    [/^(\S+) takes ISO 3166-1 alpha-2 codes$/, '$1 принимает коды ISO 3166-1 alpha-2'],
    [/^(\S+) takes codes such as (\S+)$/, '$1 принимает коды вида $2'],
    [/^(\S+) must be secretariat, state:XX or org:NAME$/, '$1 должно быть secretariat, state:XX или org:ИМЯ'],
    [/^(\S+) must say why the agreement is revoked$/, '$1 должно объяснять, почему соглашение отозвано'],
  ],

  /* ---- checks written in code (controllers, deciders, agreements.schema.ts) ---- */
  period: [
    [/^(\S+) must not be before (\S+)$/, '$1 не должно быть раньше $2'],
    [/^(\S+) must be after (\S+)$/, '$1 должно быть позже $2'],
    [/^(\S+) must be a day that has ended: (\S+) or earlier$/, '$1 должно быть уже закончившимся днём: $2 или раньше'],
    [/^(\S+) is in the future$/, '$1 — в будущем'],
    [/^(\S+) is after the (crossing|referral) date$/, '$1 позже даты $2'],
    [/^(\S+) (\S+) is before (\S+) (\S+)(?:: the data period would cover no day)?$/, '$1 $2 раньше, чем $3 $4'],
  ],
  purpose: [
    [/^(\S+) must be printable text of at most (\d+) characters$/, '$1 должно быть печатным текстом не длиннее $2 символов'],
    [/^purpose and (\S+) differ; give one$/, 'purpose и $1 различаются; укажите одно из них'],
  ],
  ownState: [
    [/^with about=mine, provider may only be your own state \((\S+)\)$/, 'при about=mine в provider можно указать только своё государство ($1)'],
    [/^(\S+) is in (\S+), not in (\S+), the state of this node$/, '$1 находится в $2, а не в $3 — государстве этого узла'],
    [/^(\S+) is not a province of (\S+), the state of this node$/, '$1 — не провинция $2, государства этого узла'],
    [/^give exactly one of borderCrossingPoint and province$/, 'укажите ровно одно из полей borderCrossingPoint и province'],
    [/^no movement (\S+) was recorded at this node$/, 'передвижение $1 на этом узле не записывалось'],
  ],
  agreementTerms: [
    [/^(\S+) is required$/, '$1 обязательно'],
    [/^(\S+) must be one of: (.*)$/, '$1 должно быть одним из: $2'],
    [/^(\S+) must be a list of: (.*)$/, '$1 должно быть списком из: $2'],
    [/^(\S+) must name at least one of: (.*)$/, '$1 должно называть хотя бы одно из: $2'],
    [/^(\S+) has unknown value\(s\) (.*); allowed: (.*)$/, '$1 содержит неизвестные значения $2; допустимы: $3'],
    [/^(\S+) repeats (.*)$/, '$1 повторяет $2'],
    [/^(\S+) must be a whole number (.*) \((.*)\)$/, '$1 должно быть целым числом $2 ($3)'],
    [/^(\S+) must be a calendar date YYYY-MM-DD.*$/, '$1 должно быть календарной датой ГГГГ-ММ-ДД'],
    [/^(\S+) must say what the data is for, in 1 to (\d+) characters$/, '$1 должно говорить, для чего данные, от 1 до $2 символов'],
    [/^(\S+) must say why, in 1 to (\d+) characters$/, '$1 должно объяснять причину, от 1 до $2 символов'],
    [/^(\S+) must give include or exclude, not both$/, '$1 должно содержать include или exclude, но не оба'],
    [
      /^(\S+) must give include or exclude; leave it out to cover every category$/,
      '$1 должно содержать include или exclude; чтобы охватить все категории, не указывайте его',
    ],
    [
      /^(\S+) must be \{include: \[\.\.\.\]\} or \{exclude: \[\.\.\.\]\}; leave it out to cover every category$/,
      '$1 должно быть {include: [...]} или {exclude: [...]}; чтобы охватить все категории, не указывайте его',
    ],
    [/^(\S+) leaves out every category: the agreement would share nothing$/, '$1 исключает все категории: соглашение ничего не передавало бы'],
    [/^recipient (\S+): (\S+) is not an ISO 3166-1 alpha-2 country code$/, 'получатель $1: $2 — не код страны ISO 3166-1 alpha-2'],
    [/^scope must be an object with eventKinds and, optionally, categories$/, 'scope должно быть объектом с eventKinds и, при необходимости, categories'],
    [
      /^dimensions include borderCrossingPoint, but minGeoGranularity country allows nothing finer than a country$/,
      'dimensions включает borderCrossingPoint, но minGeoGranularity country не допускает ничего мельче страны',
    ],
    [/^the terms must be a JSON object$/, 'условия должны быть объектом JSON'],
    [/^changes must be a JSON object$/, 'changes должно быть объектом JSON'],
    [
      /^the recipient of an agreement cannot change.*: revoke it and grant a new one$/,
      'получателя соглашения изменить нельзя: отзовите его и предоставьте новое',
    ],
    [/^an amendment must change at least one of: (.*)$/, 'изменение должно менять хотя бы одно из: $1'],
  ],
  scenario: [
    [
      /^(\S+) must be a route such as (\S+) \(of a reporting state\) or a border crossing point code from GET \/v1\/reference$/,
      '$1 должно быть маршрутом вида $2 (через государство, передающее данные) или кодом пункта пересечения границы из GET /v1/reference',
    ],
    [/^(\S+) must name the place in 1 to (\d+) printable characters$/, '$1 должно называть место печатным текстом от 1 до $2 символов'],
    [
      /^(\S+) (\d+) is not the sum of the places' capacities \((\d+)\): give one or make them agree$/,
      '$1 $2 не равно сумме вместимости мест ($3): укажите одно или согласуйте их',
    ],
    [/^(\S+) is required unless a capacity \(capacityPerDay or places\) is given$/, '$1 обязательно, если не указана вместимость (capacityPerDay или places)'],
    [/^(\S+) must be a whole number from 0 \(never set\) up$/, '$1 должно быть целым числом от 0 (ещё не задан) и больше'],
  ],
};

/** The Russian of a field error's message, or null when no entry has it (it then stays English). */
export function fieldMessageRu(message: string): string | null {
  for (const patterns of Object.values(FIELD_MESSAGES)) {
    for (const [pattern, ru] of patterns) if (pattern.test(message)) return message.replace(pattern, ru);
  }
  return null;
}
