/** An amount in minor units, as every Vipps MobilePay API sends it. */
export interface Amount {
  currency: string;
  value: number;
}
